-- exposure: the ticker x theme map over every document (see exposure_asof).
create view exposure as
select * from exposure_asof(date '9999-12-31')

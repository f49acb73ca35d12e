-- Standard signals computed from prices, point in time: the value on as_of uses only bars on
-- or before as_of (windows look back, never forward). Formulas (n = trading days):
--   momentum_n    = close / close n bars earlier - 1            (n = 20, 60, 120)
--   volatility_20 = sample stdev of the last 20 daily returns * sqrt(252)
--   drawdown_120  = close / highest close of the last 120 bars - 1   (0 at a high, < 0 below)
--   turnover_20   = mean turnover of the last 20 bars
-- A value appears only once its window is full.
create macro derived_signals() as table
with px as (
    select
        ticker,
        date,
        close,
        turnover,
        close / lag(close) over w - 1 as ret,
        row_number() over w as n
    from prices
    window w as (partition by ticker order by date)
),

calc as (
    select
        ticker,
        date as as_of,
        case when n > 20 then close / lag(close, 20) over w - 1 end as momentum_20,
        case when n > 60 then close / lag(close, 60) over w - 1 end as momentum_60,
        case when n > 120 then close / lag(close, 120) over w - 1 end as momentum_120,
        case
            when n > 20
                then stddev_samp(ret) over (w rows between 19 preceding and current row) * sqrt(252)
        end as volatility_20,
        case
            when n >= 120
                then close / max(close) over (w rows between 119 preceding and current row) - 1
        end as drawdown_120,
        case
            when n >= 20 and count(turnover) over (w rows between 19 preceding and current row) = 20
                then avg(turnover) over (w rows between 19 preceding and current row)
        end as turnover_20
    from px
    window w as (partition by ticker order by date)
),

final as (
    unpivot calc
    on momentum_20, momentum_60, momentum_120, volatility_20, drawdown_120, turnover_20
    into name signal value value
)

select * from final;

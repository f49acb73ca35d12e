import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from screener.errors import InputError
from screener.text import decode, detect_language, fold

HANS = "光模块龙头：中际旭创、新易盛受益于800G需求。"
HANT = "光模組龍頭：中際旭創、新易盛受惠於800G需求，萬國數據與騰訊亦受關注。"


@pytest.mark.parametrize(
    ("raw", "encoding"),
    [
        (HANS.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + HANS.encode("utf-8"), "utf-8-bom"),
        (HANS.encode("gbk"), "gb18030"),
        (HANS.encode("gb18030"), "gb18030"),
        (HANT.encode("big5"), "big5"),
        (HANS.encode("utf-16"), "utf-16"),
        (("IDC: " + HANS).encode("utf-16-le"), "utf-16-le"),
        (("IDC: " + HANS).encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_decode_names_the_encoding(raw, encoding):
    d = decode(raw, "doc.txt")
    assert d.encoding == encoding
    assert "中际旭创" in d.text or "中際旭創" in d.text


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"", "empty file"),
        (b"  \n ", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
    ],
)
def test_bad_bytes_name_the_file(raw, message):
    with pytest.raises(InputError, match=rf"^report\.txt: .*{message}"):
        decode(raw, "report.txt")


def test_language_labels():
    assert detect_language(HANS) == "zh-Hans"
    assert detect_language(HANT) == "zh-Hant"
    assert (
        detect_language("Alibaba will spend more than US$50 billion on AI over three years.")
        == "en"
    )
    mixed = "Alibaba will spend more than US$50 billion on cloud and AI infrastructure. " + HANS * 2
    assert detect_language(mixed) == "mixed"


def test_fold_keeps_offsets_and_folds_width_case_script():
    s = "ＡＢＣ萬國數據（ＨＫＧ：９６９８）Optical"
    f = fold(s)
    assert len(f) == len(s)
    assert f.startswith("abc万国数据")
    assert "hkg:9698" in f
    assert f.endswith("optical")


@given(st.text(max_size=200))
def test_fold_is_length_preserving_for_any_text(s):
    assert len(fold(s)) == len(s)


def test_long_texts_fold_through_tables_equal_to_the_short_path():
    """fold() of a long text goes through numpy code-point tables, of a short one through
    str.translate; both give the same folding, whatever was learned first."""
    import screener.text as T

    long = "中際旭創 光模組 ＡＢＣ Ｑ３ 億元 \ud800 " * 60
    assert len(long) > 256
    assert fold(long) == "".join(fold(ch) for ch in long)
    assert fold(long) == long.translate(T._FOLD)
    assert detect_language("中際旭創光模組將於後續擴產，資本開支" * 20) == "zh-Hant"


@settings(max_examples=100, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(
            list("中際旭創光模組块龙头數據资本开支ＡＢＣabcXYZ 0123。！？!?\n，,；;：:.\t\ud800🙂")
        ),
        min_size=256,
        max_size=600,
    )
)
def test_a_process_that_reads_little_reads_in_python_what_numpy_reads(text):
    """Below the allowance a process folds, labels and splits texts in Python and imports no
    numpy; through the tables the results are the same."""
    import screener.text as T
    from screener.extract.layout import _breaks

    dots = sorted({i + 1 for i, c in enumerate(text) if c == "."})

    def read() -> tuple:
        return (
            fold(text),
            detect_language(text),
            T.script_counts(text),
            T._cjk_score(text),
            _breaks(text, dots),
        )

    left = T._PYTHON_LEFT[0]
    T._TB.clear()  # as in a new process (the dicts keep what was learned; new tables copy it)
    T._PYTHON_LEFT[0] = 10**9
    try:
        by_python = read()
        assert not T._TB
    finally:
        T._PYTHON_LEFT[0] = left
        T.warm()
    assert read() == by_python


def test_a_text_longer_than_what_is_left_makes_the_tables():
    import screener.text as T

    left = T._PYTHON_LEFT[0]
    T._TB.clear()
    T._PYTHON_LEFT[0] = 1000
    try:
        assert not T.numpy_for("x" * 1000)
        fold("中際旭創" * 100)  # 400 characters of the 1000 spent
        assert T._PYTHON_LEFT[0] == 600 and not T._TB
        assert T.numpy_for("x" * 601) and T._TB
        assert T.numpy_for("x")  # once made, the tables read everything
    finally:
        T._PYTHON_LEFT[0] = left
        T.warm()


def test_the_script_table_is_kept_and_a_process_that_finds_it_never_loads_opencc(
    tmp_path, monkeypatch
):
    """Each character of the CJK blocks is classified by OpenCC on its own; the table of all
    28 k is made once and kept in the cache, so a later process classifies from it."""
    import screener.text as T

    monkeypatch.setenv("SCREENER_CACHE_DIR", str(tmp_path))
    T._script_table.cache_clear()
    try:
        simp, trad = T._script_table()
        assert [p.name.split("-")[0] for p in tmp_path.iterdir()] == ["scripts"]
        for c, s, t in [
            ("組", "组", "組"),
            ("组", "组", "組"),
            ("中", "中", "中"),
            ("萬", "万", "萬"),
        ]:
            i = T._block_position(c)
            assert (simp[i], trad[i]) == (s, t)
            assert T._opencc_forms([c]) == [(s, t)]
        T._script_table.cache_clear()  # as in a new process
        monkeypatch.setattr(T, "opencc_converters", lambda: pytest.fail("OpenCC loaded"))
        assert T._script_table() == (simp, trad)
    finally:
        T._script_table.cache_clear()


def test_a_character_outside_the_cjk_blocks_is_classified_by_opencc():
    import screener.text as T

    ext_b = "\U00020000"  # CJK Extension B: no block of the table
    assert T._block_position(ext_b) is None
    T._learn({ext_b})
    assert T._T2S[ext_b] == T._opencc_forms([ext_b])[0][0]

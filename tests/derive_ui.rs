//! Compile errors of the derives: each file of `tests/ui/` is a mistake, and its `.stderr`
//! the exact error the compiler shows (regenerate with `TRYBUILD=overwrite`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}

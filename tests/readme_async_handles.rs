//! The README's async typed-handle snippet is the doc test of `netlink::route::async_handle`
//! (compiled by `cargo test --doc`): the two must stay the same text.

/// The lines of the first fenced Rust block after `heading` in the README.
fn readme_block(readme: &str, heading: &str) -> Vec<String> {
    let rest = &readme[readme.find(heading).expect("README heading")..];
    let start = rest.find("```rust\n").expect("a rust block") + "```rust\n".len();
    let body = &rest[start..];
    let end = body.find("```\n").expect("the block's end");
    body[..end].lines().map(str::to_owned).collect()
}

/// The lines of the first `no_run` example of a module's `//!` docs.
fn module_doc_block(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|l| l.strip_prefix("//!"))
        .map(|l| l.strip_prefix(' ').unwrap_or(l))
        .skip_while(|l| *l != "```no_run")
        .skip(1)
        .take_while(|l| *l != "```")
        .map(str::to_owned)
        .collect()
}

#[test]
fn readme_snippet_is_the_compiled_doc_test() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = std::fs::read_to_string(format!("{root}/README.md")).unwrap();
    let source =
        std::fs::read_to_string(format!("{root}/netlink/src/route/async_handle.rs")).unwrap();
    let shown = readme_block(&readme, "#### Typed handles: `AsyncRouteHandle`");
    let compiled = module_doc_block(&source);
    assert!(compiled.len() > 10, "{compiled:?}");
    assert_eq!(shown, compiled);
}

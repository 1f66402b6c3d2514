//! The `async_families` example: names resolved concurrently, a missing one reported as such.

#[allow(dead_code)]
#[path = "../examples/async_families.rs"]
mod async_families;

#[tokio::test(flavor = "current_thread")]
async fn resolves_names_and_reports_missing_ones() {
    let found = async_families::run(vec!["nlctrl".into()]).await.unwrap();
    assert!(found);
    let found = async_families::run(vec!["nlctrl".into(), "nosuchfamily".into()])
        .await
        .unwrap();
    assert!(!found, "a family that does not exist is reported");
    assert!(async_families::run(Vec::new()).await.unwrap());
}

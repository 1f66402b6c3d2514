//! The `nlbench` program's `codec` workload and command line: the checksum is the one the C
//! libmnl reference prints, and the codec allocates nothing per iteration once its buffer is
//! reused.

#[allow(dead_code)]
#[path = "../examples/nlbench.rs"]
mod nlbench;

use nlbench::codec;

mod alloc_support;

use alloc_support::allocations_during;

#[global_allocator]
static GLOBAL: alloc_support::Counting = alloc_support::Counting;

#[test]
fn codec_allocates_nothing_per_iteration() {
    let mut buf = Vec::with_capacity(512);
    let mut bin = codec::initial_bin();
    // Warm up once, then reuse the buffer.
    codec::encode(&mut buf, 0, &mut bin).unwrap();
    let mut sum = 0u64;
    let n = allocations_during(|| {
        for i in 0..10_000u32 {
            codec::encode(&mut buf, i, &mut bin).unwrap();
            sum = sum.wrapping_add(codec::decode(&buf).unwrap());
        }
    });
    assert_eq!(n, 0, "allocations in 10,000 iterations");
    assert_ne!(sum, 0);
    // The counter works: an allocation is seen.
    let n = allocations_during(|| {
        std::hint::black_box(Vec::<u8>::with_capacity(1));
    });
    assert!(n >= 1);
}

#[test]
fn each_message_decodes_to_its_values() {
    let mut buf = Vec::new();
    let mut bin = codec::initial_bin();
    for i in [0u32, 1, 255, 256, 65_535, 65_536, 1_000_000, u32::MAX] {
        let len = codec::encode(&mut buf, i, &mut bin).unwrap();
        assert_eq!(len, codec::MSG_LEN);
        assert_eq!(buf.len(), codec::MSG_LEN);
        assert_eq!(
            codec::decode(&buf).unwrap(),
            codec::expected_sum(i),
            "iteration {i}"
        );
    }
}

#[test]
fn checksums_match_the_libmnl_reference() {
    // Printed by `nlbench-mnl codec -c N` (C, libmnl 1.0.4).
    assert_eq!(codec::iterate(1).unwrap(), (46, 132));
    assert_eq!(codec::iterate(1000).unwrap().0, 18_029_489_283_095_329_920);
    assert_eq!(codec::iterate(70_000).unwrap().0, 4_568_080_356_024_589_312);
}

#[test]
fn corrupted_messages_are_reported() {
    let mut buf = Vec::new();
    let mut bin = codec::initial_bin();
    codec::encode(&mut buf, 5, &mut bin).unwrap();
    assert!(codec::decode(&buf[..100]).is_err());
    let mut wrong_type = buf.clone();
    wrong_type[4] ^= 1;
    assert!(codec::decode(&wrong_type).is_err());
    let mut wrong_size = buf.clone();
    wrong_size[20] = 6; // the u8 attribute claims 2 bytes
    assert!(codec::decode(&wrong_size).is_err());
}

#[test]
fn output_line_has_the_reference_format() {
    let line = codec::run(3).unwrap();
    let fields: Vec<&str> = line.split(' ').collect();
    assert_eq!(fields[0], "codec");
    assert_eq!(fields[1], "items=3");
    assert_eq!(
        fields[2],
        format!("checksum={}", codec::iterate(3).unwrap().0)
    );
    assert_eq!(fields[3], "msg_bytes=132");
    assert!(fields[4].starts_with("ns_per_op="));
    assert!(fields[4]["ns_per_op=".len()..].parse::<f64>().is_ok());
    assert_eq!(fields.len(), 5);
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn command_line() {
    let o = nlbench::parse_args(&args(&["codec", "-c", "100", "-n", "nlbench", "-b8192"])).unwrap();
    assert_eq!(o.workload, "codec");
    assert_eq!(o.count, Some(100));
    assert_eq!(o.netns.as_deref(), Some("nlbench"));
    assert_eq!(o.recvbuf, Some(8192));
    assert_eq!(o.recvbuf_or_default(), 8192);
    assert_eq!(o.count_or(7), 100);

    let o = nlbench::parse_args(&args(&["codec-raw"])).unwrap();
    assert_eq!(o.count_or(7), 7);
    assert_eq!(o.recvbuf, None);
    assert_eq!(o.recvbuf_or_default(), nlbench::DEFAULT_RECVBUF);
    let o = nlbench::parse_args(&args(&["codec", "-c0"])).unwrap();
    assert_eq!(
        o.count_or(7),
        7,
        "a count of 0 means the default, as in the C program"
    );

    assert!(nlbench::parse_args(&args(&[])).is_err());
    assert!(nlbench::parse_args(&args(&["codec", "-c"])).is_err());
    assert!(nlbench::parse_args(&args(&["codec", "-c", "x"])).is_err());
    assert!(nlbench::parse_args(&args(&["codec", "-z", "1"])).is_err());
    assert!(nlbench::parse_args(&args(&["codec", "stray"])).is_err());
}

#[test]
fn workloads_are_registered() {
    for name in ["codec", "codec-raw"] {
        let run = nlbench::find_workload(name).unwrap();
        let o = nlbench::parse_args(&args(&[name, "-c", "2"])).unwrap();
        let line = run(&o).unwrap();
        assert!(line.starts_with("codec items=2 checksum="), "{line}");
    }
    assert!(nlbench::find_workload("no-such-workload").is_none());
}

/// The first fields of a workload line, without the timing.
fn without_timing(line: &str) -> Vec<String> {
    line.split_whitespace()
        .filter(|f| !f.starts_with("ns_per_op="))
        .map(str::to_owned)
        .collect()
}

#[test]
fn derived_codec_matches_the_raw_codec_and_allocates_nothing_per_iteration() {
    let raw = codec::run(70_000).unwrap();
    let borrowed = nlbench::codec_derived::run(70_000).unwrap();
    let owned = nlbench::codec_derived::run_owned(70_000).unwrap();
    assert_eq!(without_timing(&borrowed), without_timing(&raw));
    assert_eq!(
        without_timing(&owned)[1..],
        without_timing(&raw)[1..],
        "owned line: {owned}"
    );
    // The borrowed path's allocations do not grow with the number of iterations: only the
    // buffer set-up and the output line allocate.
    let few = allocations_during(|| {
        std::hint::black_box(nlbench::codec_derived::run(10).unwrap());
    });
    let many = allocations_during(|| {
        std::hint::black_box(nlbench::codec_derived::run(10_000).unwrap());
    });
    assert_eq!(few, many, "allocations grew with iterations");
}

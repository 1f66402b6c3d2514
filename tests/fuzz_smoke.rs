//! The fuzz targets of `src/fuzz_targets.rs` on the stable toolchain: each one over its seed
//! corpus (the kernel's datagrams in `tests/fixtures/`), mutations of those seeds, and random
//! and randomly structured inputs from a fixed generator, so that every `cargo test` runs a
//! few thousand inputs through exactly what `cargo +nightly fuzz run` runs for hours.
//!
//! `FUZZ_SMOKE_ITERATIONS=N` scales the number of generated inputs (default 1).

use netlink_suite::fuzz_targets::{seeds, wrap_in_nests, Target, DERIVED_TYPES, MAX_WRAP};

/// xorshift64*: small, deterministic, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn coin(&mut self) -> bool {
        self.next() & 1 == 1
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

/// Lengths and values that decoders treat specially.
const INTERESTING: [u32; 14] = [
    0,
    1,
    2,
    3,
    4,
    5,
    8,
    15,
    16,
    17,
    20,
    0x7fff,
    0xffff,
    0xffff_ffff,
];

/// One to four mutations of `seed`, some of them splicing in a piece of `other`.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8]) -> Vec<u8> {
    let mut b = seed.to_vec();
    for _ in 0..=rng.below(4) {
        let len = b.len();
        match rng.below(9) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                b[i] = INTERESTING[rng.below(INTERESTING.len())] as u8;
            }
            // A 16-bit field (attribute length or type, message type or flags).
            2 if len >= 2 => {
                let i = rng.below(len - 1) & !1;
                let v = INTERESTING[rng.below(INTERESTING.len())] as u16;
                let v = if rng.coin() { v } else { v | 0x8000 };
                b[i..i + 2].copy_from_slice(&v.to_ne_bytes());
            }
            // A 32-bit field (message length, error code, sequence).
            3 if len >= 4 => {
                let i = rng.below(len - 3) & !3;
                let v = INTERESTING[rng.below(INTERESTING.len())];
                let v = if rng.coin() { v } else { v.wrapping_neg() };
                b[i..i + 4].copy_from_slice(&v.to_ne_bytes());
            }
            4 => b.truncate(rng.below(len + 1)),
            5 => {
                let at = rng.below(len + 1);
                let n = rng.below(9);
                let extra = rng.bytes(n);
                b.splice(at..at, extra);
            }
            6 if len > 0 => {
                let at = rng.below(len);
                let n = rng.below(len - at + 1);
                b.drain(at..at + n);
            }
            7 if len > 0 => {
                let at = rng.below(len);
                let n = rng.below((len - at).min(32) + 1);
                let piece = b[at..at + n].to_vec();
                let to = rng.below(len + 1);
                b.splice(to..to, piece);
            }
            _ if !other.is_empty() => {
                let at = rng.below(other.len());
                let n = rng.below((other.len() - at).min(64) + 1);
                let to = rng.below(len + 1);
                b.splice(to..to, other[at..at + n].iter().copied());
            }
            _ => {}
        }
    }
    b
}

/// Random attributes, nested up to `depth` more levels, lengths mostly right.
fn random_attrs(rng: &mut Rng, depth: usize, out: &mut Vec<u8>) {
    for _ in 0..rng.below(4) {
        let start = out.len();
        let t = (rng.below(12) as u16) | [0, 0, 0x8000, 0x4000][rng.below(4)];
        out.extend_from_slice(&[0, 0]);
        out.extend_from_slice(&t.to_ne_bytes());
        if depth > 0 && rng.below(3) > 0 {
            random_attrs(rng, depth - 1, out);
        } else {
            let n = [0, 1, 2, 4, 8, rng.below(20)][rng.below(6)];
            let p = rng.bytes(n);
            out.extend(p);
        }
        let mut len = out.len() - start;
        if rng.below(16) == 0 {
            len = INTERESTING[rng.below(INTERESTING.len())] as usize;
        }
        let len = (len as u16).to_ne_bytes();
        out[start..start + 2].copy_from_slice(&len);
        if rng.below(8) > 0 {
            out.resize(out.len().div_ceil(4) * 4, 0);
        }
    }
}

/// A random datagram: messages of control and family types, with error codes, echoed
/// headers and attributes where they belong.
fn random_datagram(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    for _ in 0..=rng.below(3) {
        let start = out.len();
        let kind: u16 = [1, 2, 2, 3, 3, 4, 0x10, 0x12, rng.next() as u16][rng.below(9)];
        let flags: u16 =
            [0, 0x2, 0x100, 0x200, 0x300, 0x301, 0x22, rng.next() as u16][rng.below(8)];
        out.extend_from_slice(&[0; 4]);
        out.extend_from_slice(&kind.to_ne_bytes());
        out.extend_from_slice(&flags.to_ne_bytes());
        out.extend(rng.bytes(8));
        match kind {
            2 | 3 => {
                let code = -(rng.below(40) as i32);
                out.extend_from_slice(&code.to_ne_bytes());
                if kind == 2 && rng.below(8) > 0 {
                    let echoed_len = 16 + 4 * rng.below(4) as u32;
                    out.extend_from_slice(&echoed_len.to_ne_bytes());
                    out.extend(rng.bytes(12));
                    if rng.coin() {
                        out.extend(rng.bytes(echoed_len as usize - 16));
                    }
                }
            }
            _ => out.extend([rng.below(11) as u8, 2, 0, 0]),
        }
        random_attrs(rng, 3, &mut out);
        let mut len = (out.len() - start) as u32;
        if rng.below(16) == 0 {
            len = INTERESTING[rng.below(INTERESTING.len())];
        }
        out[start..start + 4].copy_from_slice(&len.to_ne_bytes());
        if rng.below(4) > 0 {
            out.resize(out.len().div_ceil(4) * 4, 0);
        }
    }
    out
}

/// An input for `target` that is neither a seed nor a mutation.
fn random_input(rng: &mut Rng, target: Target) -> Vec<u8> {
    if rng.below(4) == 0 {
        let n = rng.below(96);
        return rng.bytes(n);
    }
    match target {
        Target::Messages | Target::Ack | Target::Debug => random_datagram(rng),
        Target::Attributes => {
            let mut out = vec![rng.below(MAX_WRAP + 1) as u8];
            random_attrs(rng, 6, &mut out);
            out
        }
        Target::Derived => {
            let mut out = vec![rng.below(DERIVED_TYPES.len()) as u8];
            if rng.coin() {
                out.extend([rng.below(11) as u8, 2, 0, 0]);
            }
            random_attrs(rng, 4, &mut out);
            out
        }
    }
}

fn scale() -> usize {
    std::env::var("FUZZ_SMOKE_ITERATIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1)
}

/// Runs `target` on its seeds, `mutations` mutations of each seed and `random` random inputs;
/// returns the number of executions.
fn smoke(target: Target, mutations: usize, random: usize) -> usize {
    let corpus = seeds(target);
    assert!(!corpus.is_empty(), "{} has no seed", target.name());
    let mut rng = Rng::new(0x6e6c_6675_7a7a ^ target.name().len() as u64);
    let mut runs = 0;
    for seed in &corpus {
        target.run(seed);
        runs += 1;
    }
    for _ in 0..scale() {
        for (i, seed) in corpus.iter().enumerate() {
            let other = &corpus[(i + 1 + rng.below(corpus.len())) % corpus.len()];
            for _ in 0..mutations {
                let input = mutate(&mut rng, seed, other);
                target.run(&input);
                runs += 1;
            }
        }
        for _ in 0..random {
            let input = random_input(&mut rng, target);
            target.run(&input);
            runs += 1;
        }
    }
    eprintln!("{}: {runs} inputs", target.name());
    runs
}

#[test]
fn messages() {
    assert!(smoke(Target::Messages, 100, 3000) > 5000);
}

#[test]
fn attributes() {
    assert!(smoke(Target::Attributes, 15, 3000) > 5000);
}

#[test]
fn ack() {
    assert!(smoke(Target::Ack, 100, 3000) > 5000);
}

#[test]
fn debug() {
    assert!(smoke(Target::Debug, 40, 1000) > 2000);
}

#[test]
fn derived() {
    assert!(smoke(Target::Derived, 15, 3000) > 5000);
}

#[test]
fn every_derived_type_has_seeds() {
    let corpus = seeds(Target::Derived);
    let missing: Vec<&str> = DERIVED_TYPES
        .iter()
        .enumerate()
        .filter(|(i, _)| !corpus.iter().any(|s| usize::from(s[0]) == *i))
        .map(|(_, t)| t.name)
        .collect();
    assert!(
        missing.is_empty(),
        "no fixture decodes as {missing:?}: capture one into tests/fixtures/ and list it in \
         FIXTURES"
    );
}

#[test]
fn attribute_seeds_reach_past_the_nesting_limit() {
    let deepest = seeds(Target::Attributes)
        .iter()
        .map(|s| usize::from(s[0]))
        .max()
        .unwrap();
    assert!(deepest > netlink::MAX_NEST_DEPTH);
    // The wrapping is what the first byte says.
    let wrapped = wrap_in_nests(&[3, 4, 0, 9, 0]);
    assert_eq!(wrapped.len(), 16);
    assert_eq!(&wrapped[..2], &16u16.to_ne_bytes());
    let inner = netlink::Attrs::new(&wrapped).next().unwrap().unwrap();
    assert!(inner.is_nested());
    assert_eq!(wrap_in_nests(&[0, 1, 2]), [1, 2]);
    assert_eq!(wrap_in_nests(&[]), Vec::<u8>::new());
}

/// Nests just under, at and past the limit, with attributes of every kind at the bottom.
#[test]
fn attributes_at_the_nesting_limit() {
    let mut bottom = Vec::new();
    let mut ae = netlink::AttributeEncoder::new(&mut bottom);
    ae.u32(1, 7).string(2, "x").flag(3, true);
    ae.finish().unwrap();
    for depth in 0..=MAX_WRAP {
        let input = [&[depth as u8][..], &bottom].concat();
        netlink_suite::fuzz_targets::attributes(&input);
    }
}

/// Every target has its one-line file in `fuzz/fuzz_targets/` and its `[[bin]]` in
/// `fuzz/Cargo.toml` (a crate this workspace does not build), and nothing else is there.
#[test]
fn the_fuzz_crate_lists_every_target() {
    let fuzz = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let manifest = std::fs::read_to_string(fuzz.join("Cargo.toml")).unwrap();
    let mut files: Vec<String> = std::fs::read_dir(fuzz.join("fuzz_targets"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let mut want: Vec<String> = Target::ALL
        .iter()
        .map(|t| format!("{}.rs", t.name()))
        .collect();
    want.sort();
    assert_eq!(files, want);
    for t in Target::ALL {
        let name = t.name();
        assert!(
            manifest.contains(&format!(
                "name = \"{name}\"\npath = \"fuzz_targets/{name}.rs\""
            )),
            "no [[bin]] for {name} in fuzz/Cargo.toml"
        );
        let source =
            std::fs::read_to_string(fuzz.join("fuzz_targets").join(format!("{name}.rs"))).unwrap();
        assert!(
            source.contains("libfuzzer_sys::fuzz_target!")
                && source.contains("netlink_suite::fuzz_targets::"),
            "{name}.rs does not call the shared target"
        );
    }
}

/// Inputs at the limits of the length fields: a nest of 65,535 bytes whose last attribute
/// lacks its padding (re-encoding it would need 65,536), and a datagram of many messages.
#[test]
fn inputs_at_the_length_limits() {
    use netlink_suite::fuzz_targets::{attributes, messages};
    let inner_len = 65_535 - 4;
    let mut input = vec![0u8]; // no extra wrapping
    input.extend_from_slice(&65_535u16.to_ne_bytes());
    input.extend_from_slice(&(1u16 | 0x8000).to_ne_bytes());
    // Filler attributes, then one of 5 bytes at the very end.
    let mut inner = Vec::new();
    while inner.len() + 8 + 12 <= inner_len {
        inner.extend_from_slice(&8u16.to_ne_bytes());
        inner.extend_from_slice(&2u16.to_ne_bytes());
        inner.extend_from_slice(&7u32.to_ne_bytes());
    }
    let tail = inner_len - inner.len();
    inner.extend_from_slice(&(tail as u16).to_ne_bytes());
    inner.extend_from_slice(&3u16.to_ne_bytes());
    inner.resize(inner_len, 0xaa);
    assert_eq!(tail % 4, 3, "the last attribute is unpadded");
    input.extend(inner);
    attributes(&input);
    // The same without the last byte: a truncated attribute at the end of the nest.
    attributes(&input[..input.len() - 1]);

    let mut datagram = Vec::new();
    for i in 0..2000u32 {
        let m = netlink::Message::new(
            netlink::HeaderType(0x10 + (i % 4) as u16),
            netlink::HeaderFlags(i as u16),
            vec![i as u8; (i % 13) as usize],
        );
        m.encode_into(&mut datagram).unwrap();
    }
    messages(&datagram);
    messages(&datagram[..datagram.len() - 3]);
}

//! Writes the seed corpus of every fuzz target, built from the kernel datagrams in
//! `tests/fixtures/`, to `DIR/<target>/` (default: `fuzz/corpus/`), one file per seed named
//! by a hash of its bytes, so running it again adds nothing twice.
//!
//! ```sh
//! cargo run --manifest-path fuzz/Cargo.toml --example seed_corpus [DIR]
//! ```

use std::path::PathBuf;
use std::process::ExitCode;

use netlink_suite::fuzz_targets::{seeds, Target};

const USAGE: &str = "usage: seed_corpus [DIR]

Writes the seed corpus of every fuzz target to DIR/<target>/ (default: fuzz/corpus/).";

/// FNV-1a, 64 bits: a stable file name for a seed.
fn fnv1a(b: &[u8]) -> u64 {
    b.iter().fold(0xcbf2_9ce4_8422_2325, |h, &x| {
        (h ^ u64::from(x)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dir = match args.as_slice() {
        [] => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("corpus"),
        [h] if h == "-h" || h == "--help" => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        [d] if !d.starts_with('-') => PathBuf::from(d),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    for target in Target::ALL {
        let out = dir.join(target.name());
        if let Err(e) = std::fs::create_dir_all(&out) {
            eprintln!("seed_corpus: cannot create {}: {e}", out.display());
            return ExitCode::FAILURE;
        }
        let corpus = seeds(target);
        for seed in &corpus {
            let path = out.join(format!("{:016x}", fnv1a(seed)));
            if let Err(e) = std::fs::write(&path, seed) {
                eprintln!("seed_corpus: cannot write {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
        println!(
            "{}: {} seeds in {}",
            target.name(),
            corpus.len(),
            out.display()
        );
    }
    ExitCode::SUCCESS
}

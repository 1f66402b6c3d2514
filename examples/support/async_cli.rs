//! What the async examples share: a current-thread runtime around the program's `run`, one-line
//! errors naming the program (and the namespace, when given), and output that stops quietly
//! when standard output closes (`| head`).

use std::future::Future;
use std::io::Write;
use std::process::ExitCode;

/// Runs `fut` on a current-thread tokio runtime. `Ok(true)` exits 0, `Ok(false)` exits 1
/// without a message (the program printed why), `Err(line)` prints `prog: [netns NS: ]line`
/// and exits 1.
pub fn block_on<F>(prog: &str, netns: Option<&str>, fut: F) -> ExitCode
where
    F: Future<Output = Result<bool, String>>,
{
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("{prog}: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match rt.block_on(fut) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(msg) => {
            match netns {
                Some(ns) if !names_namespace(&msg, ns) => eprintln!("{prog}: netns {ns}: {msg}"),
                _ => eprintln!("{prog}: {msg}"),
            }
            ExitCode::FAILURE
        }
    }
}

/// Whether an error line already names namespace `ns` (the library's error for a namespace
/// that could not be entered names its path, `/run/netns/NS`): then it gets no second mention.
pub fn names_namespace(msg: &str, ns: &str) -> bool {
    msg.contains(&format!("/run/netns/{ns}:"))
}

/// Prints a line; a closed standard output (`| head`) ends the program quietly.
pub fn say(line: std::fmt::Arguments<'_>) {
    let mut out = std::io::stdout().lock();
    if writeln!(out, "{line}").and_then(|()| out.flush()).is_err() {
        std::process::exit(0);
    }
}

/// Names what failed: `dev v9: No such device`.
#[allow(dead_code)] // not every example names its failures this way
pub fn ctx<T>(what: impl std::fmt::Display, r: Result<T, netlink::Error>) -> Result<T, String> {
    r.map_err(|e| format!("{what}: {e}"))
}

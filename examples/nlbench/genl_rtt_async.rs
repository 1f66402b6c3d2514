//! W3-async `genl-rtt-async`: W3's request (`CTRL_CMD_GETFAMILY("nlctrl")` with
//! `NLM_F_REQUEST | NLM_F_ACK`) `count` times on one [`AsyncConn`], with `k` requests in flight:
//! `k` tasks share the connection, each sending its share of the requests one after another.
//! Every reply is decoded (the checksum sums `CTRL_ATTR_FAMILY_ID`, as W3) and its
//! acknowledgement received and checked by the connection. The connection sends the requests
//! that tasks issue together in one `sendmsg`. `--runtime current|multi` picks the tokio
//! runtime; `--direct` turns on `Options::direct`.

use std::time::Instant;

use netlink::netns::NetNs;
use netlink::tokio::{AsyncConn, Options};
use netlink::{Config, Error, Family};

use super::genl_rtt::{check_one_reply, family_id_of, request};

/// The default number of requests.
pub const DEFAULT_COUNT: u64 = 20_000;
/// The default number of requests in flight.
pub const DEFAULT_K: u64 = 1;

/// The tokio runtime the workload runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Runtime {
    /// `new_current_thread`: one thread runs the tasks and the connection's driver.
    Current,
    /// `new_multi_thread` with a worker per core (what `#[tokio::main]` gives).
    Multi,
}

impl std::str::FromStr for Runtime {
    type Err = String;
    fn from_str(s: &str) -> Result<Runtime, String> {
        match s {
            "current" => Ok(Runtime::Current),
            "multi" => Ok(Runtime::Multi),
            _ => Err(format!("--runtime: {s:?} is neither current nor multi")),
        }
    }
}

/// Runs the workload and returns its output line.
pub fn measure(
    count: u64,
    k: u64,
    netns: Option<&str>,
    recvbuf: usize,
    runtime: Runtime,
    direct: bool,
) -> Result<String, String> {
    let rt = match runtime {
        Runtime::Current => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build(),
        Runtime::Multi => tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build(),
    }
    .map_err(|e| format!("tokio runtime: {e}"))?;
    rt.block_on(run(count, k.max(1), netns, recvbuf, runtime, direct))
        .map_err(|e| e.to_string())
}

async fn run(
    count: u64,
    k: u64,
    netns: Option<&str>,
    recvbuf: usize,
    runtime: Runtime,
    direct: bool,
) -> Result<String, Error> {
    let conn = AsyncConn::dial_with(
        Family::GENERIC,
        Config {
            netns: netns.map(|n| NetNs::path(format!("/var/run/netns/{n}"))),
            receive_size: recvbuf,
            ..Config::default()
        },
        Options {
            direct,
            ..Options::default()
        },
    )
    .await?;

    let (header, payload) = request()?;
    let payload = std::sync::Arc::new(payload);

    let t0 = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..k {
        // Task t sends its share of the requests, one after another.
        let share = count / k + u64::from(t < count % k);
        let conn = conn.clone();
        let payload = std::sync::Arc::clone(&payload);
        tasks.push(tokio::spawn(async move {
            let (mut items, mut checksum) = (0u64, 0u64);
            for _ in 0..share {
                let replies = conn.execute_raw(header, &payload).await?;
                let mut n = 0;
                for msg in replies.iter() {
                    n += 1;
                    if let Some(id) = family_id_of(&msg)? {
                        checksum = checksum.wrapping_add(id);
                        items += 1;
                    }
                }
                check_one_reply(n)?;
            }
            Ok::<_, Error>((items, checksum))
        }));
    }
    let (mut items, mut checksum) = (0u64, 0u64);
    for task in tasks {
        let (i, c) = task
            .await
            .map_err(|_| Error::Op(netlink::OpError::new("task", libc::EIO)))??;
        items += i;
        checksum = checksum.wrapping_add(c);
    }
    let dt = t0.elapsed().as_secs_f64();
    let n = count.max(1) as f64;
    let runtime = match runtime {
        Runtime::Current => "current",
        Runtime::Multi => "multi",
    };
    Ok(format!(
        "genl-rtt-async items={items} checksum={checksum} k={k} ops_per_sec={:.0} ns_per_op={:.0} runtime={runtime} direct={} sendmsg={}",
        n / dt,
        dt * 1e9 / n,
        u8::from(direct),
        conn.datagrams_sent(),
    ))
}

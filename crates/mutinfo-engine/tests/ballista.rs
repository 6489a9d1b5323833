//! A Ballista cluster of one scheduler and two executors, in this process, fits the encoding
//! and selects exactly as the in-memory engine does: the counting aggregates travel in plans
//! through the codecs to the executors and their partial counts back.
#![cfg(feature = "ballista")]

mod common;

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::{criteria, files};
use mutinfo_data::DatasetBuilder;
use mutinfo_engine::cluster::{run_executor, run_scheduler, ExecutorOptions, SchedulerOptions};
use mutinfo_engine::{Scan, ScanOptions};
use mutinfo_select::{select, select_counted};

/// A local address whose port and the next are free (an executor uses both).
fn free_pair() -> SocketAddr {
    loop {
        let a = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = a.local_addr().unwrap();
        if addr.port() < u16::MAX && TcpListener::bind(("127.0.0.1", addr.port() + 1)).is_ok() {
            return addr;
        }
    }
}

fn wait_for(addr: SocketAddr) {
    let start = Instant::now();
    while TcpStream::connect(addr).is_err() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{addr} never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn one_scheduler_and_two_executors_select_as_in_memory() {
    let cluster = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let scheduler = free_pair();
    cluster.spawn(run_scheduler(SchedulerOptions::new(scheduler)));
    wait_for(scheduler);
    for _ in 0..2 {
        let bind = free_pair();
        let mut opts = ExecutorOptions::new(scheduler, bind);
        opts.concurrency = 1;
        cluster.spawn(run_executor(opts));
        wait_for(bind);
    }

    let dir = tempfile::tempdir().unwrap();
    let table = files(dir.path());
    let builder = DatasetBuilder::new("label");
    let (want_enc, codes) = builder.fit(&table).unwrap();
    let opts = ScanOptions {
        partitions: 3,
        batch_size: 256,
        memory_limit: None,
    };
    let scan = Scan::connect(
        &scheduler.to_string(),
        &dir.path().display().to_string(),
        &opts,
    )
    .unwrap();
    let tally = scan.tally(&builder).unwrap();
    assert_eq!(tally.rows(), 2000);
    let enc = tally.fit().unwrap();
    assert_eq!(enc, want_enc);
    for o in criteria() {
        let want = select(&codes.features, &codes.target, &o).unwrap();
        let got = select_counted(&scan.counter(&enc), &o).unwrap();
        assert_eq!(got, want, "{:?}", o.criterion);
    }
    // A bad column is named from the executors too.
    let e = scan
        .fit(&DatasetBuilder::new("no_such_column"))
        .unwrap_err();
    assert!(e.to_string().contains("no_such_column"), "{e}");
    drop(scan);
    cluster.shutdown_timeout(Duration::from_secs(1));
}

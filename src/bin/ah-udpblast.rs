//! A small UDP load tool for the firewall benchmark (scripts/bench-firewall.sh):
//! `send` pushes small datagrams as fast as one core can for a fixed time
//! (sendmmsg, 64 per call) and prints how many it sent; `sink` holds sockets
//! open (never reading, so a full buffer drops cheaply) until killed. Run
//! inside the benchmark's own network namespaces only.

use std::net::{SocketAddr, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::libc;

const BATCH: usize = 64;

fn usage() -> ! {
    eprintln!(
        "usage: ah-udpblast send FROM_IP TO_IP:PORT sip|rtp SECONDS\n       ah-udpblast sink PORT [PORT...]"
    );
    std::process::exit(2);
}

fn payload(kind: &str, to: &SocketAddr) -> Vec<u8> {
    match kind {
        // What a known phone sends: a SIP request that does not name the hostname.
        "sip" => format!(
            "OPTIONS sip:100@{ip} SIP/2.0\r\nVia: SIP/2.0/UDP 10.88.0.2:5060;branch=z9hG4bK-bench\r\n\
             Max-Forwards: 70\r\nFrom: <sip:100@{ip}>;tag=bench\r\nTo: <sip:100@{ip}>\r\nCall-ID: bench@10.88.0.2\r\n\
             CSeq: 1 OPTIONS\r\nUser-Agent: Yealink SIP-T46S\r\nContent-Length: 0\r\n\r\n",
            ip = to.ip()
        )
        .into_bytes(),
        // An RTP packet: 12-byte header and 160 bytes of G.711 (20 ms).
        "rtp" => {
            let mut p = vec![0x80u8, 0x00, 0x00, 0x01, 0, 0, 0, 160, 0x12, 0x34, 0x56, 0x78];
            p.resize(172, 0xd5);
            p
        }
        _ => usage(),
    }
}

fn send(from: &str, to: &str, kind: &str, seconds: f64) {
    let to: SocketAddr = to.parse().unwrap_or_else(|_| usage());
    let sock = UdpSocket::bind((from, 0)).expect("bind the source address");
    sock.connect(to).expect("connect");
    let data = payload(kind, &to);
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: mmsghdr is plain data; each entry points at the one iovec above,
    // which outlives every sendmmsg call below.
    let mut msgs: Vec<libc::mmsghdr> = (0..BATCH)
        .map(|_| {
            let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
            m.msg_hdr.msg_iov = &mut iov;
            m.msg_hdr.msg_iovlen = 1;
            m
        })
        .collect();
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let mut sent: u64 = 0;
    while Instant::now() < end {
        // SAFETY: msgs is a valid array of BATCH initialised mmsghdr.
        let n = unsafe { libc::sendmmsg(sock.as_raw_fd(), msgs.as_mut_ptr(), BATCH as u32, 0) };
        if n > 0 {
            sent += n as u64;
        }
    }
    let took = start.elapsed().as_secs_f64();
    println!("{sent} {took:.4} {:.0}", sent as f64 / took);
}

fn sink(ports: &[String]) {
    let socks: Vec<UdpSocket> = ports
        .iter()
        .map(|p| {
            UdpSocket::bind(("0.0.0.0", p.parse::<u16>().unwrap_or_else(|_| usage())))
                .expect("bind")
        })
        .collect();
    eprintln!("holding {} socket(s)", socks.len());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("send") if args.len() == 5 => send(
            &args[1],
            &args[2],
            &args[3],
            args[4].parse().unwrap_or_else(|_| usage()),
        ),
        Some("sink") if args.len() >= 2 => sink(&args[1..]),
        _ => usage(),
    }
}

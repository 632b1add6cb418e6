//! A small UDP load tool for the firewall benchmark (scripts/bench-firewall.sh):
//! `send` pushes small datagrams as fast as one core can for a fixed time
//! (sendmmsg, 64 per call) and prints how many it sent; `sink` holds sockets
//! open (never reading, so a full buffer drops cheaply) until killed;
//! `send-many` sends the same from COUNT consecutive source addresses (all
//! assigned to the sender's interface), one after another, so a firewall
//! meets a new source on every datagram of a batch. Run inside the
//! benchmark's own network namespaces only.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::{Duration, Instant};

use nix::libc;

const BATCH: usize = 64;

fn usage() -> ! {
    eprintln!(
        "usage: ah-udpblast send FROM_IP TO_IP:PORT sip|rtp|stranger SECONDS\n       \
         ah-udpblast send-many FIRST_IPV4 COUNT TO_IPV4:PORT sip|rtp|stranger SECONDS\n       \
         ah-udpblast sink PORT [PORT...]"
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
        // A stranger: an ordinary user agent, no hostname (a password
        // guesser hiding its signature), about the size of a real REGISTER.
        "stranger" => format!(
            "REGISTER sip:{ip} SIP/2.0\r\nVia: SIP/2.0/UDP 10.88.0.9:5060;branch=z9hG4bK-guess\r\n\
             Max-Forwards: 70\r\nFrom: <sip:1001@{ip}>;tag=guess\r\nTo: <sip:1001@{ip}>\r\nCall-ID: guess@10.88.0.9\r\n\
             CSeq: 1 REGISTER\r\nContact: <sip:1001@10.88.0.9:5060>\r\nExpires: 3600\r\n\
             User-Agent: Grandstream GXP2170 1.0.11.3\r\nContent-Length: 0\r\n\r\n",
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
    let cpu0 = thread_cpu();
    let mut sent: u64 = 0;
    while Instant::now() < end {
        // SAFETY: msgs is a valid array of BATCH initialised mmsghdr.
        let n = unsafe { libc::sendmmsg(sock.as_raw_fd(), msgs.as_mut_ptr(), BATCH as u32, 0) };
        if n > 0 {
            sent += n as u64;
        }
    }
    report(sent, start, cpu0);
}

/// The same datagrams from `count` source addresses in turn (IP_PKTINFO on
/// each message picks the source; one unbound socket).
fn send_many(first: &str, count: u32, to: &str, kind: &str, seconds: f64) {
    let first: Ipv4Addr = first.parse().unwrap_or_else(|_| usage());
    let to_v4: SocketAddrV4 = to.parse().unwrap_or_else(|_| usage());
    let data = payload(kind, &SocketAddr::V4(to_v4));
    let sock = UdpSocket::bind(("0.0.0.0", 0)).expect("bind");
    let mut dest = libc::sockaddr_in {
        sin_family: libc::AF_INET as libc::sa_family_t,
        sin_port: to_v4.port().to_be(),
        sin_addr: libc::in_addr {
            s_addr: u32::from(*to_v4.ip()).to_be(),
        },
        sin_zero: [0; 8],
    };
    let mut iov = libc::iovec {
        iov_base: data.as_ptr() as *mut libc::c_void,
        iov_len: data.len(),
    };
    // SAFETY: CMSG_SPACE only computes a size.
    let space =
        unsafe { libc::CMSG_SPACE(std::mem::size_of::<libc::in_pktinfo>() as u32) } as usize;
    // One control buffer per source address, built once.
    let mut controls: Vec<Vec<u64>> = (0..count)
        .map(|i| {
            let mut buf = vec![0u64; space.div_ceil(8)];
            let mut hdr: libc::msghdr = unsafe { std::mem::zeroed() };
            hdr.msg_control = buf.as_mut_ptr() as *mut libc::c_void;
            hdr.msg_controllen = space as _;
            // SAFETY: the buffer holds one cmsg of in_pktinfo (CMSG_SPACE).
            unsafe {
                let c = libc::CMSG_FIRSTHDR(&hdr);
                (*c).cmsg_level = libc::IPPROTO_IP;
                (*c).cmsg_type = libc::IP_PKTINFO;
                (*c).cmsg_len = libc::CMSG_LEN(std::mem::size_of::<libc::in_pktinfo>() as u32) as _;
                let info = libc::CMSG_DATA(c) as *mut libc::in_pktinfo;
                (*info).ipi_spec_dst = libc::in_addr {
                    s_addr: (u32::from(first) + i).to_be(),
                };
            }
            buf
        })
        .collect();
    // Built once: one message per source, then the first BATCH again, so
    // any run of BATCH consecutive entries is a valid batch (no wrap).
    let total = count as usize + BATCH;
    let mut msgs: Vec<libc::mmsghdr> = (0..total)
        .map(|j| {
            // SAFETY: mmsghdr is plain data; each entry points at the iovec,
            // the destination and one control buffer above, which outlive
            // every sendmmsg call below.
            let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
            m.msg_hdr.msg_name = &mut dest as *mut _ as *mut libc::c_void;
            m.msg_hdr.msg_namelen = std::mem::size_of::<libc::sockaddr_in>() as u32;
            m.msg_hdr.msg_iov = &mut iov;
            m.msg_hdr.msg_iovlen = 1;
            let c = &mut controls[j % count as usize];
            m.msg_hdr.msg_control = c.as_mut_ptr() as *mut libc::c_void;
            m.msg_hdr.msg_controllen = space as _;
            m
        })
        .collect();
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let cpu0 = thread_cpu();
    let mut sent: u64 = 0;
    let mut next: usize = 0;
    while Instant::now() < end {
        // SAFETY: msgs[next..next + BATCH] are initialised (next < count).
        let n = unsafe {
            libc::sendmmsg(
                sock.as_raw_fd(),
                msgs.as_mut_ptr().add(next),
                BATCH as u32,
                0,
            )
        };
        if n > 0 {
            sent += n as u64;
            next = (next + n as usize) % count as usize;
        } else {
            let e = std::io::Error::last_os_error();
            if e.raw_os_error() != Some(libc::ENOBUFS) && e.raw_os_error() != Some(libc::EAGAIN) {
                eprintln!(
                    "ah-udpblast: sendmmsg: {e} (are the {count} source addresses assigned?)"
                );
                std::process::exit(1);
            }
        }
    }
    report(sent, start, cpu0);
}

/// This thread's CPU time, in seconds. On veth the receiver's netfilter
/// runs in the sender's softirq, charged to the sender, so datagrams per CPU
/// second is the per-packet cost without the time other work on a shared
/// machine takes from the sender.
fn thread_cpu() -> f64 {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: t is a valid timespec to write into.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// `SENT SECONDS PER_SECOND PER_CPU_SECOND`.
fn report(sent: u64, start: Instant, cpu0: f64) {
    let took = start.elapsed().as_secs_f64();
    let cpu = (thread_cpu() - cpu0).max(1e-9);
    println!(
        "{sent} {took:.4} {:.0} {:.0}",
        sent as f64 / took,
        sent as f64 / cpu
    );
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
        Some("send-many") if args.len() == 6 => send_many(
            &args[1],
            args[2]
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage()),
            &args[3],
            &args[4],
            args[5].parse().unwrap_or_else(|_| usage()),
        ),
        Some("sink") if args.len() >= 2 => sink(&args[1..]),
        _ => usage(),
    }
}

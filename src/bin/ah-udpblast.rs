//! A small UDP load tool for the firewall benchmark (scripts/bench-firewall.sh):
//! `send` pushes small datagrams as fast as one core can for a fixed time
//! (sendmmsg, 64 per call) and prints how many it sent; `sink` holds sockets
//! open (never reading, so a full buffer drops cheaply) until killed;
//! `send-many` sends the same from COUNT consecutive source addresses (all
//! assigned to the sender's interface), one after another, so a firewall
//! meets a new source on every datagram of a batch; `race` sends into
//! several network namespaces from one thread, batch by batch in a shuffled
//! order, and reports each one's datagrams per CPU second: every variant
//! sees the same CPU at the same moment, so their ratios hold even when a
//! shared machine's speed moves by a third between seconds. Run inside the
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
         ah-udpblast race sip|rtp|stranger SECONDS NETNS,FROM_IP[:PORT],TO_IP:PORT|NETNS,FIRST_IPV4/COUNT,TO_IPV4:PORT...\n       \
         ah-udpblast answer FROM_IPV4:PORT TO_IPV4:PORT\n       \
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

/// One flow of datagrams, ready to go out BATCH at a time: a connected
/// socket (one source), or an unbound one with IP_PKTINFO picking each
/// message's source (COUNT consecutive addresses in turn).
struct Blaster {
    sock: UdpSocket,
    msgs: Vec<libc::mmsghdr>,
    /// Sources in turn (1 for a connected socket).
    count: usize,
    next: usize,
    // What the messages point into: kept alive (and never moved: boxed)
    // for as long as the messages are used.
    _data: Vec<u8>,
    _iov: Box<libc::iovec>,
    _dest: Option<Box<nix::sys::socket::SockaddrIn>>,
    _controls: Vec<Vec<u64>>,
}

impl Blaster {
    fn one_source(from: &str, to: &str, kind: &str) -> Blaster {
        let to: SocketAddr = to.parse().unwrap_or_else(|_| usage());
        // FROM_IP or FROM_IP:PORT (a fixed port, so the PBX can answer it:
        // see `answer`).
        let from: SocketAddr = from
            .parse()
            .or_else(|_| format!("{from}:0").parse())
            .unwrap_or_else(|_| usage());
        let sock = UdpSocket::bind(from).expect("bind the source address");
        sock.connect(to).expect("connect");
        let data = payload(kind, &to);
        let mut iov = Box::new(libc::iovec {
            iov_base: data.as_ptr() as *mut libc::c_void,
            iov_len: data.len(),
        });
        // SAFETY: mmsghdr is plain data; each entry points at the one boxed
        // iovec, which the Blaster keeps alive with them.
        let msgs: Vec<libc::mmsghdr> = (0..BATCH)
            .map(|_| {
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_iov = &mut *iov;
                m.msg_hdr.msg_iovlen = 1;
                m
            })
            .collect();
        Blaster {
            sock,
            msgs,
            count: 1,
            next: 0,
            _data: data,
            _iov: iov,
            _dest: None,
            _controls: Vec::new(),
        }
    }

    fn many_sources(first: &str, count: u32, to: &str, kind: &str) -> Blaster {
        let first: Ipv4Addr = first.parse().unwrap_or_else(|_| usage());
        let to_v4: SocketAddrV4 = to.parse().unwrap_or_else(|_| usage());
        let data = payload(kind, &SocketAddr::V4(to_v4));
        let sock = UdpSocket::bind(("0.0.0.0", 0)).expect("bind");
        let dest = Box::new(nix::sys::socket::SockaddrIn::from(to_v4));
        let mut iov = Box::new(libc::iovec {
            iov_base: data.as_ptr() as *mut libc::c_void,
            iov_len: data.len(),
        });
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
                    (*c).cmsg_len =
                        libc::CMSG_LEN(std::mem::size_of::<libc::in_pktinfo>() as u32) as _;
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
        let msgs: Vec<libc::mmsghdr> = (0..total)
            .map(|j| {
                // SAFETY: mmsghdr is plain data; each entry points at the
                // boxed iovec and destination and at one control buffer (a
                // Vec whose heap buffer does not move), all kept alive by
                // the Blaster.
                let mut m: libc::mmsghdr = unsafe { std::mem::zeroed() };
                m.msg_hdr.msg_name =
                    nix::sys::socket::SockaddrLike::as_ptr(&*dest) as *mut libc::c_void;
                m.msg_hdr.msg_namelen = nix::sys::socket::SockaddrLike::len(&*dest);
                m.msg_hdr.msg_iov = &mut *iov;
                m.msg_hdr.msg_iovlen = 1;
                let c = &mut controls[j % count as usize];
                m.msg_hdr.msg_control = c.as_mut_ptr() as *mut libc::c_void;
                m.msg_hdr.msg_controllen = space as _;
                m
            })
            .collect();
        Blaster {
            sock,
            msgs,
            count: count as usize,
            next: 0,
            _data: data,
            _iov: iov,
            _dest: Some(dest),
            _controls: controls,
        }
    }

    /// One sendmmsg of BATCH datagrams; how many went out.
    fn batch(&mut self) -> u64 {
        // SAFETY: msgs[next..next + BATCH] are initialised (next < count,
        // and msgs holds count + BATCH entries, or BATCH for one source).
        let n = unsafe {
            libc::sendmmsg(
                self.sock.as_raw_fd(),
                self.msgs.as_mut_ptr().add(self.next),
                BATCH as u32,
                0,
            )
        };
        if n > 0 {
            if self.count > 1 {
                self.next = (self.next + n as usize) % self.count;
            }
            return n as u64;
        }
        let e = std::io::Error::last_os_error();
        if e.raw_os_error() != Some(libc::ENOBUFS) && e.raw_os_error() != Some(libc::EAGAIN) {
            eprintln!(
                "ah-udpblast: sendmmsg: {e} (are the {} source addresses assigned?)",
                self.count
            );
            std::process::exit(1);
        }
        0
    }
}

fn send(mut blaster: Blaster, seconds: f64) {
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let cpu0 = thread_cpu();
    let mut sent: u64 = 0;
    while Instant::now() < end {
        sent += blaster.batch();
    }
    report(sent, start, cpu0);
}

/// A flow built inside another network namespace (a socket stays in the
/// namespace it was made in), from `NETNS,FROM_IP,TO_IP:PORT` or
/// `NETNS,FIRST_IPV4/COUNT,TO_IPV4:PORT`.
fn blaster_in(spec: &str, kind: &str, home: &std::fs::File) -> Blaster {
    let parts: Vec<&str> = spec.split(',').collect();
    let [netns, from, to] = parts[..] else {
        usage()
    };
    let ns = std::fs::File::open(format!("/run/netns/{netns}"))
        .unwrap_or_else(|e| panic!("network namespace {netns}: {e}"));
    nix::sched::setns(&ns, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns");
    let blaster = match from.split_once('/') {
        Some((first, count)) => Blaster::many_sources(
            first,
            count
                .parse()
                .ok()
                .filter(|n| *n > 0)
                .unwrap_or_else(|| usage()),
            to,
            kind,
        ),
        None => Blaster::one_source(from, to, kind),
    };
    nix::sched::setns(home, nix::sched::CloneFlags::CLONE_NEWNET).expect("setns back");
    blaster
}

/// Every flow in turn, TURN batches at a time, in a new shuffled order each
/// cycle, for SECONDS; each flow's time is the thread's CPU time spent in
/// its own sendmmsg calls (the receiver's netfilter included: on veth it
/// runs in the sender's softirq). Prints one line per flow, in the order
/// given: `SENT CPU_SECONDS PER_CPU_SECOND`.
fn race(kind: &str, seconds: f64, specs: &[String]) {
    const TURN: usize = 4;
    let home = std::fs::File::open("/proc/self/ns/net").expect("own network namespace");
    let mut flows: Vec<Blaster> = specs.iter().map(|s| blaster_in(s, kind, &home)).collect();
    let mut sent = vec![0u64; flows.len()];
    let mut cpu = vec![0f64; flows.len()];
    let mut order: Vec<usize> = (0..flows.len()).collect();
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < end {
        // Fisher-Yates with xorshift: no flow always follows the same one.
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        for &f in &order {
            let t0 = thread_cpu();
            for _ in 0..TURN {
                sent[f] += flows[f].batch();
            }
            cpu[f] += thread_cpu() - t0;
        }
    }
    for (n, t) in sent.iter().zip(&cpu) {
        println!("{n} {t:.4} {:.0}", *n as f64 / t.max(1e-9));
    }
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

/// A UDP socket bound with SO_REUSEADDR: the sink's port can also send
/// `answer`'s datagram.
fn reusable_udp(addr: SocketAddrV4) -> UdpSocket {
    use nix::sys::socket::{
        AddressFamily, SockFlag, SockType, SockaddrIn, bind, setsockopt, socket, sockopt,
    };
    let fd = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )
    .expect("socket");
    setsockopt(&fd, sockopt::ReuseAddr, &true).expect("SO_REUSEADDR");
    bind(fd.as_raw_fd(), &SockaddrIn::from(addr)).unwrap_or_else(|e| panic!("bind {addr}: {e}"));
    UdpSocket::from(fd)
}

/// One datagram from the PBX's port to a flow's fixed source port: the PBX
/// answering a phone, as Asterisk does, so a stateful ruleset sees the
/// phone's flow as established.
fn answer(from: &str, to: &str) {
    let from: SocketAddrV4 = from.parse().unwrap_or_else(|_| usage());
    let sock = reusable_udp(from);
    sock.send_to(b"SIP/2.0 200 OK\r\n\r\n", to)
        .expect("send the answer");
}

fn sink(ports: &[String]) {
    let socks: Vec<UdpSocket> = ports
        .iter()
        .map(|p| {
            reusable_udp(SocketAddrV4::new(
                Ipv4Addr::UNSPECIFIED,
                p.parse::<u16>().unwrap_or_else(|_| usage()),
            ))
        })
        .collect();
    eprintln!("holding {} socket(s)", socks.len());
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let seconds = |a: &String| -> f64 { a.parse().unwrap_or_else(|_| usage()) };
    match args.first().map(String::as_str) {
        Some("send") if args.len() == 5 => send(
            Blaster::one_source(&args[1], &args[2], &args[3]),
            seconds(&args[4]),
        ),
        Some("send-many") if args.len() == 6 => send(
            Blaster::many_sources(
                &args[1],
                args[2]
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .unwrap_or_else(|| usage()),
                &args[3],
                &args[4],
            ),
            seconds(&args[5]),
        ),
        Some("race") if args.len() >= 4 => race(&args[1], seconds(&args[2]), &args[3..]),
        Some("answer") if args.len() == 3 => answer(&args[1], &args[2]),
        Some("sink") if args.len() >= 2 => sink(&args[1..]),
        _ => usage(),
    }
}

//! `println!` and friends for the binary, without the panic. The standard
//! macros panic when stdout or stderr is gone (`plan | head`, an ssh session
//! that drops): a panic in `rollback` halfway through restoring would leave
//! the host half restored. Here a lost line is lost, and the command goes on
//! to finish what it started and exit with its own code. Defined before the
//! modules in main.rs, so they shadow the standard ones everywhere in the
//! binary.

macro_rules! println {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! print {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}

macro_rules! eprintln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

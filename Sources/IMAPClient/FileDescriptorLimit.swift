#if canImport(Glibc)
import Glibc
#endif
import Logging

/// Each IMAP connection holds a socket (and in crmgate's proxy mode a second one to the mail
/// server): at start-up the gateway and the load tool raise the soft limit on open files to
/// the hard limit, as far as the system allows, and the log says what it is.
public enum FileDescriptorLimit {
    public static func raise(logger: Logger) {
        #if canImport(Glibc)
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else {
            logger.warning("cannot read the limit on open files", metadata: ["errno": "\(errno)"])
            return
        }
        let before = limit.rlim_cur
        if limit.rlim_cur < limit.rlim_max {
            limit.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) != 0 { limit.rlim_cur = before }
        }
        // A connection takes one (two in proxy mode); the hard limit is the system's to raise
        // (LimitNOFILE in a systemd unit, `ulimit -Hn`).
        logger.notice("open files limit", metadata: [
            "limit": "\(limit.rlim_cur)", "raised_from": "\(before)", "hard_limit": "\(limit.rlim_max)",
        ])
        #endif
    }
}

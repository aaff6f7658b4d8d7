import Foundation

/// Fault injection for the crash tests: when the environment has
/// `CRMGATE_CRASH_AT=<point>`, the process kills itself with SIGKILL as a drop or a sync run
/// reaches that point, exactly as a power cut would stop it there. Unset (always, outside tests) it does
/// nothing. The end-to-end tests restart the gateway afterwards and check that the drop
/// completes once (the sync converges without duplicates).
public enum CrashPoint: String, CaseIterable, Sendable {
    /// A queued drop, before anything was done for it.
    case beforeProcessing = "drop-before-processing"
    /// People matched (contacts and accounts possibly created), nothing else done.
    case afterMatch = "drop-after-match"
    /// The new record exists; the mail is not archived yet.
    case afterCreate = "drop-after-create"
    /// The mail is archived; the message is not marked done or returned yet.
    case afterArchive = "drop-after-archive"
    /// Everything is done in the CRM; the message is about to be marked and returned.
    case beforeReturn = "drop-before-return"
    /// A contacts sync run has made some of its writes and saved none of its links.
    case syncMidRun = "sync-mid-run"

    public static let armed = ProcessInfo.processInfo.environment["CRMGATE_CRASH_AT"].flatMap(CrashPoint.init(rawValue:))

    public func reach() {
        guard Self.armed == self else { return }
        FileHandle.standardError.write(Data("crmgate: CRMGATE_CRASH_AT=\(rawValue) reached, killing the process\n".utf8))
        // The drop stays exactly here (this thread blocks) while the IMAP session sends the
        // OK that is already on its way, so the test's client sees the drop acknowledged.
        usleep(300_000)
        kill(getpid(), SIGKILL)
    }
}

import CRM
import GRDB

/// Turns what GRDB and SQLite throw into `CRMError`s that say whether to retry.
enum DatabaseFailure {
    static func classify(_ error: any Error) -> CRMError {
        if let error = error as? CRMError { return error }
        if error is CancellationError {
            return CRMError(.transient, "the embedded CRM call was cancelled before it finished; try again")
        }
        guard let error = error as? DatabaseError else {
            return CRMError(.permanent, "the embedded CRM failed unexpectedly: \(error)")
        }
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_CANTOPEN, .SQLITE_PROTOCOL, .SQLITE_INTERRUPT:
            return CRMError(.transient, "the embedded CRM database is busy or cannot be written (\(error.message ?? "\(error.resultCode)")); the action will be retried")
        case .SQLITE_CONSTRAINT:
            return CRMError(.permanent, "the embedded CRM refused the change because it would break the data's integrity (\(error.message ?? "constraint failed"))")
        default:
            return CRMError(.permanent, "the embedded CRM database failed (\(error.message ?? "\(error.resultCode)")); an administrator should check the file")
        }
    }
}

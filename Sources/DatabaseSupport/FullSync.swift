import GRDB

extension DatabasePool {
    /// Makes every commit of the writer connection reach the disk before it returns.
    /// GRDB turns WAL on with `synchronous = NORMAL` (after any prepareDatabase hook), which
    /// survives a crash of the process but may lose the last commits on power loss; both
    /// stores call this after opening.
    public func requireFullSync() throws {
        try writeWithoutTransaction { try $0.execute(sql: "PRAGMA synchronous = FULL") }
    }
}

import CRM

/// One consumer's view of the CRM's change feed (the contacts bridge, the CRM folders …):
/// it reads a module's changes after its own durable cursor, asks `route` which scopes
/// (user, policy, module) each change concerns, and queues the change for those scopes
/// only. A change therefore costs work for the users it concerns, not for every user.
///
/// Queueing and moving the cursor happen in one transaction, and a scope drops what it
/// took from its queue in the same transaction as its links (`SyncCheckpoint.pendingThrough`):
/// a change is neither lost nor applied twice across crashes.
public struct CRMChangeFeed: Sendable {
    public let consumer: String
    let connector: any CRMConnector
    let store: SyncStateStore
    /// Changes read per request to the connector.
    public var batchSize = 500

    public init(consumer: String, connector: any CRMConnector, store: SyncStateStore) {
        self.consumer = consumer
        self.connector = connector
        self.store = store
    }

    /// Reads `module`'s new changes and queues them; returns the scopes that got work.
    ///
    /// The first read of a feed (no cursor yet) only finds where the feed ends: every scope
    /// starts with a full sync, which sees all that came before.
    public func drain(_ module: ModuleKey, route: (RecordChange) async throws -> Set<SyncScope>) async throws -> Set<SyncScope> {
        var cursor = try await store.feedCursor(consumer: consumer, module: module.rawValue).map(ChangeCursor.init)
        let catchingUp = cursor == nil
        var touched = Set<SyncScope>()
        while true {
            let batch = try await connector.changes(in: module, since: cursor, limit: batchSize)
            var entries: [(scope: SyncScope, crmID: String)] = []
            if !catchingUp {
                for change in batch.changes {
                    for scope in try await route(change) {
                        entries.append((scope, change.ref.description))
                        touched.insert(scope)
                    }
                }
            }
            try await store.enqueue(consumer: consumer, module: module.rawValue, cursor: batch.cursor.rawValue, entries)
            cursor = batch.cursor
            if !batch.hasMore || batch.changes.isEmpty { return touched }
        }
    }

    /// The users a change concerns by ownership: the record's owner now, and the one it
    /// was taken from. (Users who only saw it, and users who had it linked, are the
    /// caller's to add: they depend on its policies and links.)
    public static func owners(of change: RecordChange) -> Set<CRMUserID> {
        var owners = Set<CRMUserID>()
        if let owner = change.record?.owner { owners.insert(owner) }
        if case .reassigned(let from?) = change.kind { owners.insert(from) }
        return owners
    }
}

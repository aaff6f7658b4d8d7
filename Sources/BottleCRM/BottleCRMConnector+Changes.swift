import CRM
import Foundation

extension BottleCRMConnector {
    /// Rows per page when listing a module.
    static let pageSize = 500

    public func changes(in key: ModuleKey, since cursor: ChangeCursor?, limit: Int) async throws -> ChangeBatch {
        let module = try mapping(key)
        let after: Int64
        if let cursor {
            guard let sequence = Int64(cursor.rawValue) else {
                throw CRMError(.permanent, "\"\(cursor.rawValue)\" is not a cursor of the BottleCRM connector")
            }
            after = sequence
        } else {
            after = 0
        }
        try await refreshIfStale(module)
        let logged = try mirror.changes(of: key, after: after, limit: limit + 1)
        let page = logged.prefix(limit)
        var changes: [RecordChange] = []
        for change in page {
            let ref = RecordRef(key, RecordID(change.id))
            let current = change.kind == "deleted" ? nil : try mirror.entry(key, id: change.id).map { record(module, $0) }
            let kind: RecordChange.Kind = switch change.kind {
            case "created": .created
            case "closed": .closed
            case "deleted": .deleted
            case "reassigned": .reassigned(from: change.previousOwner.map(CRMUserID.init))
            default: .changed
            }
            changes.append(RecordChange(kind: kind, ref: ref, record: kind == .deleted ? nil : current))
        }
        let next = page.last?.sequence ?? max(after, 0)
        return ChangeBatch(changes: changes, cursor: ChangeCursor(String(next)), hasMore: logged.count > limit)
    }

    /// Lists the module again when its copy is older than most of a poll interval.
    func refreshIfStale(_ module: ModuleMapping) async throws {
        if let listed = try mirror.listedAt(module.key),
           Date().timeIntervalSince(listed) < Double(settings.pollInterval.components.seconds) * 0.8 {
            return
        }
        try await refresh(module)
    }

    /// Lists the whole module (paged), reads whole what a slim list leaves out, checks that
    /// records missing from the list are really gone, and hands the result to the mirror.
    func refresh(_ module: ModuleMapping) async throws {
        try await refreshes.run(module.key) {
            try await self.prepare()
            let started = ContinuousClock.now
            var listed: [String: JSONValue] = [:]
            var offset = 0
            while true {
                let answer = try await self.client.get(module.path, query: [("limit", "\(Self.pageSize)"), ("offset", "\(offset)")])
                let groups = module.rows(in: answer ?? .null)
                for row in groups.joined() { if let id = row["id"]?.string { listed[id] = row } }
                if groups.allSatisfy({ $0.count < Self.pageSize }) { break }
                offset += Self.pageSize
            }
            let known = Dictionary(try self.mirror.entries(of: module.key).map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
            var entries: [RecordMirror.Entry] = []
            for (id, row) in listed {
                var entry = try self.entry(module, row)
                if let old = known[id], old.fingerprint == entry.fingerprint {
                    entry = old
                } else if module.slimList, let whole = try await self.fetch(module, id: id) {
                    entry = try self.entry(module, whole)
                }
                entries.append(entry)
            }
            // A record can slip between pages while others are added or deleted: only what
            // BottleCRM confirms missing counts as deleted.
            for id in known.keys where listed[id] == nil {
                if let json = try await self.fetch(module, id: id) { entries.append(try self.entry(module, json)) }
            }
            let logged = try self.mirror.replace(module.key, with: entries)
            self.logger.debug("listed a BottleCRM module", metadata: [
                "module": "\(module.key)", "records": "\(entries.count)", "changes": "\(logged)",
                "ms": "\((ContinuousClock.now - started).components.seconds * 1000 + (ContinuousClock.now - started).components.attoseconds / 1_000_000_000_000_000)",
            ])
            if logged > 0 { self.notifier.publish(module.key) }
        }
    }
}

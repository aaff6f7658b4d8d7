import CRM

/// Throws a violation with `message` unless `condition` holds.
func expect(_ condition: Bool, _ message: @autoclosure () -> String) throws(ContractViolation) {
    if !condition { throw ContractViolation(message()) }
}

/// The value, or a violation with `message` when there is none.
func require<T>(_ value: T?, _ message: @autoclosure () -> String) throws(ContractViolation) -> T {
    guard let value else { throw ContractViolation(message()) }
    return value
}

/// Expects `body` to fail with a permanent `CRMError` (naming `field` when given) and returns it.
@discardableResult
func expectPermanentError<T>(_ what: String, field: String? = nil,
                             _ body: () async throws -> T) async throws -> CRMError {
    let outcome: Result<T, any Error>
    do { outcome = .success(try await body()) } catch { outcome = .failure(error) }
    switch outcome {
    case .success(let value):
        throw ContractViolation("\(what): expected a permanent CRMError, but the call succeeded with \(value)")
    case .failure(let error):
        guard let crmError = error as? CRMError else {
            throw ContractViolation("\(what): expected a CRMError, got \(type(of: error)): \(error)")
        }
        try expect(crmError.kind == .permanent && !crmError.isTransient,
                   "\(what): expected a permanent error, got a transient one: \(crmError.message)")
        try expect(!crmError.message.isEmpty, "\(what): the error has no message for the user")
        if let field {
            try expect(crmError.field == field,
                       "\(what): expected the error to name the field \"\(field)\", it names \(crmError.field.map { "\"\($0)\"" } ?? "no field") (\(crmError.message))")
        }
        return crmError
    }
}

extension ContractFixture {
    /// The connector's definition of a module it must offer.
    func module(_ key: ModuleKey) async throws -> ModuleDefinition {
        try require(try await connector.modules().first { $0.key == key },
                    "the connector does not offer the built-in module \"\(key)\"")
    }

    /// A cursor past every change the module has now.
    func currentCursor(of module: ModuleKey) async throws -> ChangeCursor? {
        var cursor: ChangeCursor?
        while true {
            let batch = try await connector.changes(in: module, since: cursor, limit: 500)
            cursor = batch.cursor
            if !batch.hasMore { return cursor }
        }
    }

    /// Every change after `cursor`, read in batches of `limit`, with the batches' shape checked.
    func allChanges(of module: ModuleKey, since cursor: ChangeCursor?, limit: Int) async throws -> [RecordChange] {
        var cursor = cursor
        var changes: [RecordChange] = []
        for _ in 0..<10_000 {
            let batch = try await connector.changes(in: module, since: cursor, limit: limit)
            try expect(batch.changes.count <= limit,
                       "changes(limit: \(limit)) returned \(batch.changes.count) changes, more than the limit")
            if batch.hasMore {
                try expect(batch.changes.count == limit,
                           "changes(limit: \(limit)) said hasMore with only \(batch.changes.count) changes; a batch is cut only at its limit")
            }
            changes += batch.changes
            cursor = batch.cursor
            if !batch.hasMore { return changes }
        }
        throw ContractViolation("changes(in: \(module)) kept saying hasMore after 10000 batches")
    }
}

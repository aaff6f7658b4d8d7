import CRM

/// `activeRecords` honours each module's visibility rule and leaves closed records out.
enum VisibilityChecks {
    static let all: [ContractCheck] = [
        ContractCheck("activeRecords shows owned modules to their owner only and shared modules to all") { fixture in
            for key in [ModuleKey.opportunities, .accounts, .cases, .contacts] {
                try await visibility(of: key, fixture)
            }
        },
        ContractCheck("reassigning a record moves it between the owners' active records") { fixture in
            let connector = fixture.connector
            let record = try await SampleRecords(fixture: fixture).create(.opportunities, name: "Handover \(fixture.tag)")
            _ = try await connector.updateRecord(record.ref, RecordDraft(owner: fixture.bob.id, fields: [:]))
            let module = try await fixture.module(.opportunities)
            let bobs = try await connector.activeRecords(in: .opportunities, visibleTo: fixture.bob.id)
            try expect(bobs.contains { $0.ref == record.ref && $0.owner == fixture.bob.id },
                       "after reassigning \(record.ref) to bob, bob's active opportunities lack it")
            if module.visibility == .owned {
                let alices = try await connector.activeRecords(in: .opportunities, visibleTo: fixture.alice.id)
                try expect(!alices.contains { $0.ref == record.ref },
                           "after reassigning \(record.ref) to bob, alice still sees it although opportunities are visible to their owner only")
            }
        },
        ContractCheck("closed records leave activeRecords and appear as closed in changes") { fixture in
            for module in try await fixture.connector.modules() where ModuleDefinition.builtIns.contains(where: { $0.key == module.key }) {
                try await closing(module, fixture)
            }
        },
    ]

    private static func visibility(of key: ModuleKey, _ fixture: ContractFixture) async throws {
        let connector = fixture.connector
        let module = try await fixture.module(key)
        let samples = SampleRecords(fixture: fixture)
        let alices = try await samples.create(key, name: "Alice's \(key) \(fixture.tag)", owner: fixture.alice.id)
        let bobs = try await samples.create(key, name: "Bob's \(key) \(fixture.tag)", owner: fixture.bob.id)
        let seenByAlice = Set(try await connector.activeRecords(in: key, visibleTo: fixture.alice.id).map(\.ref))
        let seenByBob = Set(try await connector.activeRecords(in: key, visibleTo: fixture.bob.id).map(\.ref))
        try expect(seenByAlice.contains(alices.ref), "alice does not see her own \(key) record \(alices.ref) in activeRecords")
        try expect(seenByBob.contains(bobs.ref), "bob does not see his own \(key) record \(bobs.ref) in activeRecords")
        let shared = module.visibility == .all
        try expect(seenByAlice.contains(bobs.ref) == shared,
                   "alice \(shared ? "does not see" : "sees") bob's \(key) record \(bobs.ref), but \(key) are visible to \(shared ? "all" : "their owner only")")
        try expect(seenByBob.contains(alices.ref) == shared,
                   "bob \(shared ? "does not see" : "sees") alice's \(key) record \(alices.ref), but \(key) are visible to \(shared ? "all" : "their owner only")")
    }

    private static func closing(_ module: ModuleDefinition, _ fixture: ContractFixture) async throws {
        guard let rule = module.closedRule, let field = module.field(rule.field),
              let closedValue = SampleRecords.choice(of: field, in: module, closing: true) else { return }
        let connector = fixture.connector
        let key = module.key
        let record = try await SampleRecords(fixture: fixture).create(key, name: "Closing \(key) \(fixture.tag)")
        let before = try await connector.activeRecords(in: key, visibleTo: fixture.alice.id)
        try expect(before.contains { $0.ref == record.ref }, "the open \(key) record \(record.ref) is missing from activeRecords")
        let cursor = try await fixture.currentCursor(of: key)
        _ = try await connector.updateRecord(record.ref, RecordDraft(fields: [field.key: .text(closedValue)]))
        let after = try await connector.activeRecords(in: key, visibleTo: fixture.alice.id)
        try expect(!after.contains { $0.ref == record.ref },
                   "\(record.ref) with \(field.key) \"\(closedValue)\" is closed but still in activeRecords")
        let changes = try await fixture.allChanges(of: key, since: cursor, limit: 50).filter { $0.ref == record.ref }
        try expect(changes.map(\.kind) == [.closed],
                   "closing \(record.ref) (\(field.key) → \"\(closedValue)\") should appear as one .closed change, got \(changes.map(\.kind))")
        try expect(changes.first?.record?.fields[field.key] == .text(closedValue),
                   "the .closed change of \(record.ref) does not carry the record as it is now")
    }
}

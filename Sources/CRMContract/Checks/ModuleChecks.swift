import CRM

/// The connector offers the built-in modules, and finds its users by email and id.
enum ModuleChecks {
    static let all: [ContractCheck] = [
        ContractCheck("modules include every built-in module with its fields") { fixture in
            let offered = try await fixture.connector.modules()
            for builtIn in ModuleDefinition.builtIns {
                let module = try require(offered.first { $0.key == builtIn.key },
                                         "modules() lacks the built-in module \"\(builtIn.key)\"")
                for field in builtIn.fields {
                    try expect(module.field(field.key) != nil,
                               "module \"\(builtIn.key)\" lacks the built-in field \"\(field.key)\"")
                }
            }
            try expect(Set(offered.map(\.key)).count == offered.count, "modules() lists a module key twice")
        },
        ContractCheck("users are found by email ignoring case and by id") { fixture in
            let connector = fixture.connector
            let byEmail = try await connector.user(email: fixture.alice.email.uppercased())
            try expect(byEmail?.id == fixture.alice.id,
                       "user(email: \"\(fixture.alice.email.uppercased())\") returned \(String(describing: byEmail)), expected \(fixture.alice.id)")
            let byID = try await connector.user(id: fixture.bob.id)
            try expect(byID?.email.lowercased() == fixture.bob.email.lowercased(),
                       "user(id: \(fixture.bob.id)) returned \(String(describing: byID)), expected \(fixture.bob.email)")
            let nobody = try await connector.user(email: "nobody-\(fixture.tag)@contract.example")
            try expect(nobody == nil, "user(email:) found \(String(describing: nobody)) for an address no user has")
        },
    ]
}

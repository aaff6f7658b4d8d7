import CRM

/// The connector offers the core modules with the fields crmgate relies on, and finds its users by email and id.
enum ModuleChecks {
    static let all: [ContractCheck] = [
        ContractCheck("modules include the core modules, and built-in modules keep the built-in fields' meaning") { fixture in
            let offered = try await fixture.connector.modules()
            for key in ModuleDefinition.coreKeys {
                _ = try require(offered.first { $0.key == key }, "modules() lacks the core module \"\(key)\"")
            }
            for module in offered {
                guard let builtIn = ModuleDefinition.builtIns.first(where: { $0.key == module.key }) else { continue }
                for field in module.fields {
                    let known = try require(builtIn.field(field.key),
                                            "module \"\(module.key)\" offers \"\(field.key)\", which is not a field of the built-in module")
                    try expect(field.type.isSameKind(as: known.type),
                               "field \"\(module.key).\(field.key)\" is \(field.type), the built-in field is \(known.type)")
                }
                for field in ModuleDefinition.coreFields[module.key] ?? [] {
                    try expect(module.field(field) != nil, "module \"\(module.key)\" lacks the field \"\(field)\" crmgate relies on")
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

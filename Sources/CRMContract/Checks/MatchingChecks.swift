import CRM

/// People are found by email address, accounts by domain, both ignoring case.
enum MatchingChecks {
    static let all: [ContractCheck] = [
        ContractCheck("findPeople finds users, contacts and leads by email ignoring case") { fixture in
            let connector = fixture.connector
            let samples = SampleRecords(fixture: fixture)
            let contactEmail = "Carol.Contact@\(fixture.tag).Match.Example"
            let leadEmail = "dave.lead@\(fixture.tag).match.example"
            let contact = try await samples.create(.contacts, name: "Carol \(fixture.tag)", emails: ["other@\(fixture.tag).match.example", contactEmail])
            let lead = try await samples.create(.leads, name: "Dave \(fixture.tag)", emails: [leadEmail])

            let contactMatches = try await connector.findPeople(email: contactEmail.lowercased())
            try expect(contactMatches.contains { if case .contact(let r) = $0 { r.ref == contact.ref } else { false } },
                       "findPeople(\"\(contactEmail.lowercased())\") did not find contact \(contact.ref): \(contactMatches)")
            try expect(contactMatches.allSatisfy { if case .contact(let r) = $0 { r.ref == contact.ref } else { false } },
                       "findPeople(\"\(contactEmail.lowercased())\") found more than the one contact: \(contactMatches)")

            let leadMatches = try await connector.findPeople(email: leadEmail.uppercased())
            try expect(leadMatches.contains { if case .lead(let r) = $0 { r.ref == lead.ref } else { false } },
                       "findPeople(\"\(leadEmail.uppercased())\") did not find lead \(lead.ref): \(leadMatches)")

            let userMatches = try await connector.findPeople(email: fixture.alice.email.uppercased())
            try expect(userMatches.contains { if case .user(let u) = $0 { u.id == fixture.alice.id } else { false } },
                       "findPeople(\"\(fixture.alice.email.uppercased())\") did not find user \(fixture.alice.id): \(userMatches)")

            let nobody = try await connector.findPeople(email: "nobody@\(fixture.tag).match.example")
            try expect(nobody.isEmpty, "findPeople found \(nobody) for an address nobody has")
        },
        ContractCheck("findAccounts finds accounts by exact domain ignoring case") { fixture in
            let connector = fixture.connector
            let domain = "acme-\(fixture.tag).match.example"
            let account = try await SampleRecords(fixture: fixture)
                .create(.accounts, name: "Acme \(fixture.tag)", domains: ["www.acme-\(fixture.tag).match.example", domain])
            let found = try await connector.findAccounts(domain: domain.uppercased())
            try expect(found.map(\.ref) == [account.ref], "findAccounts(\"\(domain.uppercased())\") returned \(found.map(\.ref)), expected [\(account.ref)]")
            let sub = try await connector.findAccounts(domain: "mail.\(domain)")
            try expect(sub.isEmpty, "findAccounts(\"mail.\(domain)\") matched \(sub.map(\.ref)); domains match exactly")
            let other = try await connector.findAccounts(domain: "other-\(fixture.tag).match.example")
            try expect(other.isEmpty, "findAccounts found \(other.map(\.ref)) for a domain no account has")
        },
        ContractCheck("deleted contacts and accounts are no longer matched") { fixture in
            let connector = fixture.connector
            let samples = SampleRecords(fixture: fixture)
            let email = "gone@\(fixture.tag).match.example"
            let domain = "gone-\(fixture.tag).match.example"
            let contact = try await samples.create(.contacts, name: "Gone \(fixture.tag)", emails: [email])
            let account = try await samples.create(.accounts, name: "Gone \(fixture.tag)", domains: [domain])
            try await connector.deleteRecord(contact.ref)
            try await connector.deleteRecord(account.ref)
            let people = try await connector.findPeople(email: email)
            try expect(people.isEmpty, "findPeople still finds \(people) after the contact was deleted")
            let accounts = try await connector.findAccounts(domain: domain)
            try expect(accounts.isEmpty, "findAccounts still finds \(accounts.map(\.ref)) after the account was deleted")
        },
    ]
}

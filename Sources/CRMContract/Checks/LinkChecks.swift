import CRM

/// View and Edit links are absolute, distinct and stable.
enum LinkChecks {
    static let all: [ContractCheck] = [
        ContractCheck("viewURL and editURL are absolute, distinct per record and stable") { fixture in
            let connector = fixture.connector
            let samples = SampleRecords(fixture: fixture)
            let one = try await samples.create(.opportunities, name: "Link one \(fixture.tag)")
            let two = try await samples.create(.cases, name: "Link two \(fixture.tag)")
            let urls = [connector.viewURL(one.ref), connector.editURL(one.ref), connector.viewURL(two.ref), connector.editURL(two.ref)]
            try expect(Set(urls).count == 4, "viewURL and editURL of two records are not four distinct links: \(urls)")
            for url in urls {
                try expect(["http", "https"].contains(url.scheme?.lowercased() ?? ""), "\(url) is not an absolute http(s) link")
            }
            _ = try await connector.updateRecord(one.ref, RecordDraft(fields: ["name": .text("Link renamed \(fixture.tag)")]))
            try expect(connector.viewURL(one.ref) == urls[0] && connector.editURL(one.ref) == urls[1],
                       "the links of \(one.ref) changed after the record changed")
        },
    ]
}

import CRM
import EmbeddedCRM
import Foundation

/// A realistic, reproducible data set for the embedded CRM: three users and the
/// accounts, people, deals, cases and calendar around them, dated relative to today.
struct DemoData {
    let crm: EmbeddedCRM
    let today: Date
    var random = SeededGenerator(seed: 20261129)

    static let users = [("Alice Martin", "alice@example.com"), ("Bob Chen", "bob@example.com"), ("Carla Rossi", "carla@example.com")]

    static let companies: [(String, String, String)] = [
        ("Acme Corp", "acme.example", "Manufacturing"), ("Müller GmbH", "mueller-gmbh.example", "Engineering"),
        ("Globex Industries", "globex.example", "Energy"), ("Initech", "initech.example", "Software"),
        ("Umbrella Health", "umbrella-health.example", "Healthcare"), ("Café Lumière SARL", "cafe-lumiere.example", "Hospitality"),
        ("Søren & Co", "soren-co.example", "Retail"), ("Northwind Traders", "northwind.example", "Wholesale"),
        ("Contoso Pharma", "contoso-pharma.example", "Pharmaceuticals"), ("Fabrikam Logistics", "fabrikam.example", "Logistics"),
        ("Tailspin Aviation", "tailspin.example", "Aerospace"), ("Wide World Importers", "wwi.example", "Import"),
        ("Blue Yonder Airlines", "blueyonder.example", "Travel"), ("Litware Labs", "litware.example", "Research"),
        ("Proseware", "proseware.example", "Publishing"), ("Adventure Works", "adventure-works.example", "Sporting goods"),
        ("Coho Winery", "coho-winery.example", "Food & beverage"), ("Lucerne Publishing", "lucerne.example", "Media"),
        ("Margie's Travel", "margies-travel.example", "Travel"), ("Trey Research", "trey.example", "Consulting"),
        ("Woodgrove Bank", "woodgrove.example", "Finance"), ("Alpine Ski House", "alpineski.example", "Leisure"),
        ("Graphic Design Institute", "gdi.example", "Education"), ("Humongous Insurance", "humongous.example", "Insurance"),
        ("Nordlicht Energie AG", "nordlicht.example", "Energy"),
    ]

    static let firstNames = ["Anna", "Ben", "Chloé", "David", "Elena", "Felix", "Grace", "Hiroshi", "Ines", "Jonas",
                             "Katrin", "Liam", "Maya", "Nils", "Olivia", "Pablo", "Quentin", "Rosa", "Sven", "Tara",
                             "Ulrich", "Vera", "William", "Xenia", "Yusuf", "Zoë"]
    static let lastNames = ["Schmidt", "Johnson", "Dubois", "Nakamura", "García", "Larsen", "O'Brien", "Kowalski", "Rossi",
                            "Andersson", "Bauer", "Clarke", "Novak", "Weber", "Silva", "Fischer", "Murphy", "Jansen"]
    static let titles = ["CEO", "CTO", "Head of Purchasing", "Operations Manager", "IT Director", "Buyer", "CFO", "Project Lead"]
    static let products = ["Website redesign", "ERP rollout", "Support contract", "Fleet tracking", "Data platform",
                           "Security audit", "Cloud migration", "Training program", "Mobile app", "Hardware refresh"]
    static let caseSubjects = ["Cannot log in to portal", "Invoice shows wrong VAT", "Delivery arrived damaged",
                               "Request for data export", "Sync fails every night", "Printer driver missing",
                               "Password reset link expired", "Report totals do not match", "Slow response times",
                               "Change of billing address"]

    /// Fills an empty CRM; returns the users created.
    mutating func seed() async throws -> [CRMUser] {
        var users: [CRMUser] = []
        for (name, email) in Self.users { users.append(try await crm.createUser(name: name, email: email)) }
        func owner(_ i: Int) -> CRMUserID { users[i % users.count].id }

        var accounts: [CRMRecord] = []
        for (i, (name, domain, industry)) in Self.companies.enumerated() {
            accounts.append(try await crm.createRecord(in: .accounts, RecordDraft(owner: owner(i), fields: [
                "name": .text(name), "domains": .list([domain]), "website": .text("https://www.\(domain)"),
                "phone": .text(phone()), "industry": .text(industry),
            ])))
        }
        var contacts: [CRMRecord] = []
        for i in 0..<80 {
            let account = accounts[i % accounts.count]
            let (first, last) = (pick(Self.firstNames), pick(Self.lastNames))
            let domain = account.fields["domains"]?.list?.first ?? "example.com"
            contacts.append(try await crm.createRecord(in: .contacts, RecordDraft(owner: owner(i), fields: [
                "firstName": .text(first), "lastName": .text(last),
                "emails": .list(["\(slug(first)).\(slug(last))\(i)@\(domain)"]),
                "title": .text(pick(Self.titles)), "phone": .text(phone()), "account": .reference(account.ref),
            ])))
        }
        let leadStatuses = ["New", "New", "Contacted", "Contacted", "Qualified", "Lost"]
        for i in 0..<30 {
            let (first, last) = (pick(Self.firstNames), pick(Self.lastNames))
            _ = try await crm.createRecord(in: .leads, RecordDraft(owner: owner(i), fields: [
                "firstName": .text(first), "lastName": .text(last),
                "emails": .list(["\(slug(first))@\(slug(last))-consulting.example"]),
                "company": .text("\(last) Consulting"), "status": .text(leadStatuses[i % leadStatuses.count]),
            ]))
        }
        let stages = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Proposal", "Qualification", "Closed Won", "Closed Lost"]
        let probability = ["Prospecting": 10, "Qualification": 25, "Proposal": 50, "Negotiation": 75, "Closed Won": 100, "Closed Lost": 0]
        var opportunities: [CRMRecord] = []
        for i in 0..<40 {
            let account = accounts[(i * 7) % accounts.count]
            let stage = stages[i % stages.count]
            opportunities.append(try await crm.createRecord(in: .opportunities, RecordDraft(owner: owner(i), fields: [
                "name": .text("\(Self.products[i % Self.products.count]) - \(account.fields["name"]?.text ?? "")"),
                "account": .reference(account.ref), "contact": .reference(contacts[(i * 7) % accounts.count].ref),
                "stage": .text(stage), "amount": .number(Decimal(1000 * (5 + next(120)))),
                "currency": .text(i % 3 == 0 ? "EUR" : "USD"), "closeDate": .date(day(offset: next(150) - 45)),
                "probability": .number(Decimal(probability[stage] ?? 10)),
                "description": .text("\(Self.products[i % Self.products.count]) for \(account.fields["name"]?.text ?? "the customer").")
            ])))
        }
        let caseStatuses = ["New", "Open", "Open", "Pending", "Resolved", "Closed"]
        let priorities = ["Low", "Normal", "Normal", "High", "Urgent"]
        for i in 0..<20 {
            let contact = contacts[(i * 3) % contacts.count]
            _ = try await crm.createRecord(in: .cases, RecordDraft(owner: owner(i), fields: [
                "subject": .text(Self.caseSubjects[i % Self.caseSubjects.count]), "status": .text(caseStatuses[i % caseStatuses.count]),
                "priority": .text(priorities[i % priorities.count]), "contact": .reference(contact.ref),
                "account": contact.fields["account"] ?? .reference(accounts[0].ref),
                "description": .text("Reported by \(contact.name(in: .contacts)) by email."),
            ]))
        }
        let quoteStages = ["Draft", "Sent", "Sent", "Accepted", "Rejected"]
        for i in 0..<12 {
            let opportunity = opportunities[i]
            _ = try await crm.createRecord(in: .quotes, RecordDraft(owner: opportunity.owner, fields: [
                "name": .text("Quote for \(opportunity.fields["name"]?.text ?? "")"), "opportunity": .reference(opportunity.ref),
                "account": opportunity.fields["account"] ?? .reference(accounts[0].ref),
                "stage": .text(quoteStages[i % quoteStages.count]), "total": opportunity.fields["amount"] ?? .number(10_000),
                "currency": opportunity.fields["currency"] ?? .text("USD"), "validUntil": .date(day(offset: 30 + next(30))),
            ]))
        }
        let projectStatuses = ["Planned", "Active", "Active", "On Hold", "Completed"]
        for i in 0..<8 {
            let account = accounts[(i * 3) % accounts.count]
            _ = try await crm.createRecord(in: .projects, RecordDraft(owner: owner(i), fields: [
                "name": .text("\(Self.products[(i + 3) % Self.products.count]) at \(account.fields["name"]?.text ?? "")"),
                "account": .reference(account.ref), "status": .text(projectStatuses[i % projectStatuses.count]),
                "startDate": .date(day(offset: -60 + i * 10)), "endDate": .date(day(offset: 30 + i * 15)),
            ]))
        }
        let taskStatuses = ["Not Started", "In Progress", "Waiting", "Completed"]
        for i in 0..<30 {
            let opportunity = opportunities[i % opportunities.count]
            let status = taskStatuses[i % taskStatuses.count]
            _ = try await crm.createRecord(in: .tasks, RecordDraft(owner: opportunity.owner, fields: [
                "subject": .text(["Call", "Send proposal to", "Follow up with", "Prepare demo for"][i % 4] + " " + (opportunity.fields["name"]?.text ?? "")),
                "dueDate": .date(day(offset: next(30) - 10)), "status": .text(status),
                "priority": .text(["Low", "Normal", "High"][i % 3]), "related": .reference(opportunity.ref),
                "completedAt": status == "Completed" ? .dateTime(today.addingTimeInterval(-86_400 * Double(1 + i % 5))) : nil,
                "reminderMinutes": i % 3 == 0 ? .number(60) : nil,
            ]))
        }
        for i in 0..<30 {
            let contact = contacts[(i * 5) % contacts.count]
            let start = Calendar(identifier: .gregorian).date(byAdding: .hour, value: 24 * (next(60) - 20) + 9 + next(8), to: startOfToday()) ?? today
            _ = try await crm.createRecord(in: .events, RecordDraft(owner: owner(i), fields: [
                "subject": .text("Meeting with \(contact.name(in: .contacts))"), "start": .dateTime(start),
                "end": .dateTime(start.addingTimeInterval(3600)), "allDay": .bool(false), "timeZone": .text("Europe/Berlin"),
                "location": .text(["Video call", "Their office", "Our office", "Phone"][i % 4]), "related": .reference(contact.ref),
                "attendees": contact.emailAddresses.isEmpty ? nil : .list(contact.emailAddresses),
                "reminderMinutes": .number(15), "private": .bool(i % 10 == 9),
                // A weekly meeting, the way a calendar repeats one.
                "recurrence": i == 0 ? .text("FREQ=WEEKLY;COUNT=8") : nil,
            ]))
        }
        return users
    }

    private mutating func next(_ bound: Int) -> Int { Int(random.next() % UInt64(bound)) }
    private mutating func pick(_ list: [String]) -> String { list[next(list.count)] }
    private mutating func phone() -> String { "+1 555 \(100 + next(900)) \(1000 + next(9000))" }

    private func slug(_ name: String) -> String {
        name.folding(options: [.diacriticInsensitive, .caseInsensitive], locale: nil).lowercased().filter { $0.isLetter }
    }

    private func startOfToday() -> Date { Calendar(identifier: .gregorian).startOfDay(for: today) }

    private func day(offset: Int) -> CalendarDate {
        let calendar = Calendar(identifier: .gregorian)
        let date = calendar.date(byAdding: .day, value: offset, to: today) ?? today
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDate(year: c.year ?? 2026, month: c.month ?? 1, day: c.day ?? 1) ?? CalendarDate(year: 2026, month: 1, day: 1)!
    }
}

/// SplitMix64: the same demo data on every run.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

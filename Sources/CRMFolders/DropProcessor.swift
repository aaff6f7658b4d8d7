import CRM
import Crypto
import Foundation
import GatewayConfig
import IMAPCore
import Logging
import MailStore
import MIMECore
import ServiceLifecycle
import Sync
import Synchronization

/// Turns queued drops into CRM actions, at once: match the people of the mail, perform
/// the drop folder's action (Create New Email, Create New <Module>, Assign To), archive
/// the mail with its attachments, then mark it `$CRMDone` and return it where it came
/// from. Transient CRM failures are retried with exponential back-off; permanent ones
/// leave the mail with `$CRMError` and an error report beside it. Every step is
/// idempotent (archive key, creation key, matching by address), so re-running a drop
/// after a crash completes it without duplicates.
public final class DropProcessor: Service {
    let store: LocalStore
    let connector: any CRMConnector
    let logger: Logger
    let bytesInFlight: Int
    private let current: Mutex<GatewayConfiguration>

    public init(store: LocalStore, connector: any CRMConnector, configuration: GatewayConfiguration, logger: Logger,
                bytesInFlight: Int = DropProcessor.bytesInFlight) {
        self.store = store
        self.connector = connector
        self.current = Mutex(configuration)
        self.logger = logger
        self.bytesInFlight = bytesInFlight
    }

    /// Takes a reloaded configuration; drops from then on follow its policies.
    public func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
    }

    /// The policy of an account, or the defaults when it follows none.
    func policy(for email: String) -> GatewayConfiguration.Policy {
        current.withLock { $0.policy(for: email) } ?? GatewayConfiguration.Policy()
    }

    /// Transient failures are tried this many times, then reported.
    var retryLimit: Int { current.withLock { $0.crm.retryLimit } }

    /// Processes at start, at once when a drop is queued, and every 2 s for retries.
    public func run() async throws {
        await WakeUpLoop().run(every: .seconds(2), signals: store.drops.subscribe()) {
            await self.processDue()
        }
    }

    /// Drops processed at once: the CRM calls and commits of one drop wait on I/O, and the
    /// commits of drops in flight together share WAL syncs (group commit), so enough of
    /// them keep both cores busy. In alternating bursts of 1,000 MOVEs (MOVE OK to record),
    /// 16 gave p99 0.82–1.08 s, 32 gave 0.52–0.71 s, 64 gave 0.32–0.66 s but the MOVEs' own
    /// p99 rose to 31–33 ms (32: 24–28, 16: 14–21) and each drop in flight holds its mail in
    /// memory. People are created under `creations`, so two drops naming the same new
    /// address still make one contact.
    static let concurrency = 32
    /// The most mail, in octets, that the drops in flight may hold: each holds its whole
    /// mail, its text and its attachments in memory, so 32 drops of mail with big
    /// attachments could otherwise take gigabytes. A mail bigger than this still goes
    /// through, alone.
    public static let bytesInFlight = 64 * 1024 * 1024
    /// Jobs read from the queue at a time.
    static let batchSize = 64
    let creations = KeyedLock()

    /// Processes every drop that is due, until the queue has no more, keeping `concurrency`
    /// of them in flight, holding no more than `bytesInFlight` of mail (the next drop waits,
    /// in queue order, until it fits): a drop that ends makes room for the next at once, and the queue is
    /// read on past the last job read when those run out (drops queued meanwhile included;
    /// one rescheduled meanwhile waits for the next call). Returns how many it handled.
    @discardableResult
    public func processDue(now: Date = Date()) async -> Int {
        let started = Date()
        var handled = 0
        await withTaskGroup(of: Int.self) { group in
            var waiting: ArraySlice<DropJob> = []
            var lastRead: Int64 = 0
            var running = 0, bytes = 0
            var queueRead = false
            while true {
                if waiting.isEmpty && !queueRead {
                    do {
                        let fetched = try await store.dueDrops(now: now.addingTimeInterval(Date().timeIntervalSince(started)),
                                                               after: lastRead, limit: Self.batchSize)
                        waiting = fetched[...]
                        lastRead = fetched.last?.id ?? lastRead
                        queueRead = fetched.count < Self.batchSize
                    } catch {
                        logger.error("cannot read the drop queue", metadata: ["error": "\(error)"])
                        queueRead = true
                    }
                }
                if running < Self.concurrency, let job = waiting.first, running == 0 || bytes + job.size <= bytesInFlight {
                    waiting.removeFirst()
                    group.addTask {
                        await self.process(job)
                        return job.size
                    }
                    running += 1
                    bytes += job.size
                    handled += 1
                } else if running > 0, let size = await group.next() {
                    running -= 1
                    bytes -= size
                } else {
                    break
                }
            }
        }
        return handled
    }

    func process(_ job: DropJob) async {
        CrashPoint.beforeProcessing.reach()
        do {
            guard let content = try await store.content(in: job.mailbox, uid: job.uid) else { return }
            let policy = policy(for: job.email)
            let mail = DroppedMail(raw: content.raw, index: content.index)
            if job.follow {
                try await follow(job, mail, policy: policy)
                return
            }
            let outcome = try await perform(job, mail, policy: policy)
            CrashPoint.beforeReturn.reach()
            let disposition: DropDisposition
            switch policy.afterProcessing {
            case "keep": disposition = .keep
            case "delete": disposition = .delete
            default:
                if job.fromUpstream {
                    disposition = .returnToUpstream
                } else if let source = job.source {
                    disposition = .moveTo(source)
                } else {
                    disposition = .moveTo(try await store.mailbox(of: job.user, named: "INBOX").id)
                }
            }
            // Earlier failures first: in proxy mode, the return that `completeDrop` queues
            // then finds their reports to take back in the same pass, while the user's
            // session (its login, without a master user) is still open.
            await resolveEarlierFailures(job, mail, outcome: outcome, policy: policy)
            try await store.completeDrop(job, disposition, tracking: policy.conversationFollow ? outcome.tracking : [])
            DropMetrics.finished(job, "done")
            logger.info("drop done", metadata: ["action": "\(job.role)", "result": "\(outcome.summary)"])
        } catch let failure as DropFailure {
            await fail(job, failure)
        } catch let error as CRMError where error.isTransient {
            await retry(job, error.message, giveUp: .unreachable, notBefore: error.retryAfter)
        } catch let error as CRMError {
            await fail(job, await refusal(error, job: job))
        } catch {
            logger.error("drop failed unexpectedly", metadata: ["error": "\(error)"])
            await retry(job, "\(error)", giveUp: .unexpected)
        }
    }

    /// Tries the drop again later (5 s, doubling, at most an hour apart, each wait stretched
    /// by up to a fifth at random so that drops held back by one outage do not all return at
    /// once; never sooner than the CRM's `Retry-After`) until `retry_limit` attempts, then
    /// reports it as failed: `giveUp` says how, with the last reason.
    private func retry(_ job: DropJob, _ reason: String, giveUp: GiveUp, notBefore: Double? = nil) async {
        guard job.attempts + 1 < retryLimit else {
            let crm = crmName
            let attempts = "\(job.attempts + 1) attempts"
            let failure = switch giveUp {
            case .unreachable:
                DropFailure(reason: "\(crm) could not be reached (\(attempts); the last answer: \(reason)).",
                            advice: "Nothing is lost: the mail stays here. Once \(crm) is back, move it into this folder again. If \(crm) stays unreachable, tell your administrator.")
            case .unexpected:
                DropFailure(reason: "crmgate could not process it (\(attempts); the last error: \(reason)).",
                            advice: "Move the mail into this folder again. If it fails again, tell your administrator: crmgate's log has the details.")
            }
            await fail(job, failure)
            return
        }
        let backOff = min(pow(2.0, Double(job.attempts)) * 5, 3600) * Double.random(in: 1...1.2)
        let delay = max(backOff, notBefore ?? 0)
        logger.warning("drop will be retried", metadata: ["in": "\(Int(delay)) s", "error": "\(reason)"])
        DropMetrics.retried(job)
        try? await store.retryDrop(job, at: Date().addingTimeInterval(delay), error: reason)
    }

    /// A reason the drop cannot succeed and what the user can do about it, in their terms.
    struct DropFailure: Error {
        let reason: String
        let advice: String
    }

    /// How a drop that kept failing for a passing reason is reported in the end.
    enum GiveUp { case unreachable, unexpected }

    /// The CRM's name as users know it (`[crm] name`).
    var crmName: String { current.withLock { $0.crm.name } }

    /// The CRM refused a write: its words, and advice that fits the folder.
    private func refusal(_ error: CRMError, job: DropJob) async -> DropFailure {
        let crm = crmName
        let what = switch DropAction(role: job.role, recordKey: job.recordKey) {
        case .createRecord(let module): "create \(await article(module)) from it"
        case .assign: "add it to the record this folder stands for"
        default: "archive it"
        }
        let field = error.field.map { " (the field \"\($0)\")" } ?? ""
        return DropFailure(reason: "\(crm) refused to \(what): \(error.message)\(field).",
                           advice: "If you can change what \(crm) names, do so in \(crm), then move the mail into this folder again; otherwise tell your administrator, quoting this message.")
    }

    /// "an opportunity", "a case": the module's record name as a noun phrase.
    private func article(_ module: ModuleKey) async -> String {
        let singular = (try? await connector.modules().first { $0.key == module }?.singular) ?? module.rawValue
        let noun = singular.lowercased()
        return ("aeiou".contains(noun.first ?? "x") ? "an " : "a ") + noun
    }

    /// What a drop did: a line for the log, and where its mail went for conversation follow.
    struct Outcome {
        var summary: String
        var tracking: [TrackedMessage]
    }

    private func perform(_ job: DropJob, _ mail: DroppedMail, policy: GatewayConfiguration.Policy) async throws -> Outcome {
        guard let user = try await connector.user(email: job.email) else {
            throw DropFailure(reason: "Your mail account (\(job.email)) has no user in \(crmName), so nothing can be recorded for you.",
                              advice: "Ask your administrator to add a \(crmName) user with the address \(job.email), then move the mail into this folder again.")
        }
        let matched = try await RecipientMatcher(connector: connector, rules: MatchingRules(policy), owner: user.id, creations: creations,
                                                 knownUsers: [user])
            .match(MailAddress.all(in: mail.index))
        CrashPoint.afterMatch.reach()
        if policy.skipInternal && matched.onlyUsers {
            throw DropFailure(reason: "Every address in this mail belongs to a colleague with a \(crmName) user: it is internal mail, which your administrator has chosen not to archive.",
                              advice: "Nothing needs fixing. If mail among colleagues should be kept in \(crmName), ask your administrator (skip_internal).")
        }
        var records = matched.accounts
        let target: String
        let action = DropAction(role: job.role, recordKey: job.recordKey)
        // An email or a new record must relate to someone; Assign To names its record.
        if policy.mustMatch, matched.people.isEmpty, matched.accounts.isEmpty, action.needsAMatch {
            throw Self.noMatch(matched, crm: crmName, createsContacts: policy.createContacts)
        }
        switch action {
        case .createEmail:
            target = "email"
        case .createRecord(let module):
            let record = try await createRecord(module, mail, matched: matched, owner: user.id)
            CrashPoint.afterCreate.reach()
            records.insert(record.ref, at: 0)
            target = "\(record.ref)"
        case .assign(let ref):
            guard try await connector.record(ref) != nil else {
                let folder = (try? await store.info(of: job.mailbox).name.split(separator: "/").last.map(String.init)) ?? nil
                throw DropFailure(reason: "The record this folder stands for (\(folder ?? "\(ref)")) no longer exists in \(crmName).",
                                  advice: "Move the mail into the Assign To folder of another record, or into a Create New folder. This folder goes away at the next refresh.")
            }
            records.insert(ref, at: 0)
            target = "\(ref)"
        case .unknown:
            throw DropFailure(reason: "This folder is not a drop folder crmgate knows (\(job.role)).",
                              advice: "Move the mail into one of the Create New or Assign To folders; if this keeps happening, tell your administrator.")
        }
        let people = matched.people.map(\.ref)
        let archived = try await connector.archiveEmail(mail.archive(to: target, people: people, records: records, owner: user.id))
        CrashPoint.afterArchive.reach()
        return Outcome(summary: "archived \(archived.id) to \(target)",
                       tracking: mail.tracking(target: target, records: records, people: people))
    }

    /// A later mail of a tracked conversation: archived to the records (and people) each
    /// tracked mail it answers went to, plus the existing contacts and leads it names
    /// (nobody is created for a follow-up). It stays where it is, marked `$CRMDone`.
    private func follow(_ job: DropJob, _ mail: DroppedMail, policy: GatewayConfiguration.Policy) async throws {
        let parents = try await store.trackedMessages(of: job.user, among: mail.index.threadIDs)
        guard policy.conversationFollow, !parents.isEmpty, let user = try await connector.user(email: job.email) else {
            try await store.dismissDrop(job)
            DropMetrics.finished(job, "dismissed")
            return
        }
        var rules = MatchingRules(policy)
        rules.createContacts = false
        let matched = try await RecipientMatcher(connector: connector, rules: rules, owner: user.id, creations: creations, knownUsers: [user])
            .match(MailAddress.all(in: mail.index))
        var tracking: [TrackedMessage] = []
        var seenTargets = Set<String>()
        for parent in parents where seenTargets.insert(parent.target).inserted {
            let records = parent.records.compactMap(RecordRef.init)
            var people = parent.people.compactMap(RecordRef.init)
            for person in matched.people.map(\.ref) where !people.contains(person) { people.append(person) }
            _ = try await connector.archiveEmail(mail.archive(to: parent.target, people: people, records: records, owner: user.id))
            tracking += mail.tracking(target: parent.target, records: records, people: people)
        }
        try await store.completeDrop(job, .keep, tracking: tracking)
        DropMetrics.finished(job, "done")
        logger.info("conversation followed", metadata: ["targets": "\(seenTargets.sorted())"])
    }

    private func createRecord(_ key: ModuleKey, _ mail: DroppedMail, matched: MatchResult, owner: CRMUserID) async throws -> CRMRecord {
        guard let module = try await connector.modules().first(where: { $0.key == key }) else { throw CRMError.unknownModule(key) }
        var fields: [String: FieldValue?] = [:]
        let name = Self.recordName(fromSubject: mail.subject)
        fields[module.nameField] = .text(name.isEmpty ? "(no subject)" : name)
        if module.field("description") != nil, let text = mail.text {
            fields["description"] = .text(String(text.prefix(20_000)))
        }
        if module.field("account") != nil, let account = matched.accounts.first { fields["account"] = .reference(account) }
        if module.field("contact") != nil, let contact = matched.people.first(where: { $0.ref.module == .contacts }) {
            fields["contact"] = .reference(contact.ref)
        }
        // Required choice fields (stage, status) start at their first value.
        for field in module.fields where field.required && fields[field.key] == nil {
            if case .choice(let choices) = field.type, let first = choices.first { fields[field.key] = .text(first) }
        }
        return try await connector.createRecord(in: key, RecordDraft(owner: owner, fields: fields, idempotencyKey: "\(mail.key)|create:\(key)"))
    }

    private func fail(_ job: DropJob, _ failure: DropFailure) async {
        let message = "\(failure.reason) \(failure.advice)"
        logger.notice("drop failed", metadata: ["action": "\(job.role)", "reason": "\(failure.reason)"])
        DropMetrics.finished(job, "failed")
        do {
            try await store.failDrop(job, error: message, flagged: policy(for: job.email).flagFailedDrops)
            guard let original = try await store.content(in: job.mailbox, uid: job.uid) else { return }
            let mail = DroppedMail(raw: original.raw, index: original.index)
            let folder = try await store.info(of: job.mailbox).name
            let action = DropAction(role: job.role, recordKey: job.recordKey)
            let noun = if case .createRecord(let module) = action { await article(module) } else { "" }
            let report = DropReport.render(action: action, recordNoun: noun, mail: mail, folder: folder, failure: failure,
                                           proxy: job.fromUpstream)
            try await store.appendDropReport(report, for: job, mailKey: mail.key)
        } catch {
            logger.error("cannot record a failed drop", metadata: ["error": "\(error)"])
        }
    }

    /// The mail was dropped again and worked: its earlier error reports go (in proxy mode
    /// also from the upstream INBOX, by `UpstreamReturner`), failed copies lose `$CRMError`,
    /// and where the policy asks for it, or a report cannot be taken back (one written
    /// before reports had a Message-ID), a short note says that it worked.
    private func resolveEarlierFailures(_ job: DropJob, _ mail: DroppedMail, outcome: Outcome, policy: GatewayConfiguration.Policy) async {
        do {
            let resolved = try await store.resolveDropReports(user: job.user, mailKey: mail.key,
                                                              retractUpstream: policy.resolvedReports == "delete")
            guard !resolved.isEmpty else { return }
            logger.info("earlier failures of the drop resolved", metadata: [
                "reports-removed": "\(resolved.removed)", "reports-upstream": "\(resolved.upstream)",
                "reports-taken-back-upstream": "\(resolved.retracting)", "copies-cleared": "\(resolved.cleared)"])
            guard resolved.upstream > 0 || (policy.resolvedReports == "note" && resolved.removed > 0) else { return }
            let note = DropReport.resolved(mail: mail, crm: crmName, upstreamReports: resolved.upstream > 0)
            if job.fromUpstream {
                _ = try await store.append(NewMessage(raw: note), to: job.mailbox, origin: UpstreamOrigin(folder: "INBOX"), returnNow: true)
            } else {
                _ = try await store.append(NewMessage(raw: note), to: job.mailbox, queueDrop: false)
            }
        } catch {
            logger.error("cannot remove the reports of earlier failures", metadata: ["error": "\(error)"])
        }
    }

    /// Why nothing matched, naming the addresses, and advice that can apply: adding a
    /// contact only helps for outside addresses; mail among colleagues needs an Assign To folder.
    static func noMatch(_ matched: MatchResult, crm: String, createsContacts: Bool) -> DropFailure {
        let assignTo = "Or move it into the Assign To folder of the record it belongs to."
        if !matched.unmatched.isEmpty {
            let addresses = matched.unmatched.joined(separator: ", ")
            let notCreated = createsContacts ? "" : " (and this folder does not create contacts)"
            return DropFailure(reason: "No contact or lead in \(crm) has the address \(addresses)\(notCreated), and this folder files mail only for someone \(crm) knows.",
                               advice: "Add \(matched.unmatched.count == 1 ? "the address" : "one of the addresses") to a contact or lead in \(crm), then move the mail into this folder again. \(assignTo)")
        }
        if !matched.blocked.isEmpty {
            let addresses = matched.blocked.joined(separator: ", ")
            return DropFailure(reason: "\(addresses) \(matched.blocked.count == 1 ? "is" : "are") excluded from \(crm) by your administrator's rules (blocked), so the mail has nobody to be filed for.",
                               advice: "\(assignTo) If \(addresses) should be allowed, ask your administrator.")
        }
        if !matched.users.isEmpty {
            return DropFailure(reason: "Every address in this mail belongs to a colleague with a \(crm) user, and this folder files mail for a customer (a contact, lead or account).",
                               advice: "Move it into the Assign To folder of the record it belongs to.")
        }
        return DropFailure(reason: "The mail names no address crmgate could read, so it has nobody to be filed for.",
                           advice: "Move it into the Assign To folder of the record it belongs to.")
    }

    /// Reply and forward prefixes in the languages mail clients write them.
    static let replyPrefixes: Set<String> = ["re", "fw", "fwd", "aw", "wg", "sv", "vs", "antw", "tr"]

    /// The subject without reply and forward prefixes (Re:, Fwd:, AW:, WG:, SV:, `Re[2]:`, …).
    static func recordName(fromSubject subject: String) -> String {
        var name = Substring(subject)
        while let rest = afterReplyPrefix(name) { name = rest }
        return name.trimmingCharacters(in: .whitespaces)
    }

    /// `text` after one leading prefix such as ` Re [2] : `, or nil when it has none.
    private static func afterReplyPrefix(_ text: Substring) -> Substring? {
        var rest = text.drop(while: \.isWhitespace)
        let word = rest.prefix(while: \.isLetter)
        guard replyPrefixes.contains(word.lowercased()) else { return nil }
        rest = rest.dropFirst(word.count).drop(while: \.isWhitespace)
        if rest.first == "[" {
            let digits = rest.dropFirst().prefix(while: \.isNumber)
            guard !digits.isEmpty, rest.dropFirst(1 + digits.count).first == "]" else { return nil }
            rest = rest.dropFirst(2 + digits.count).drop(while: \.isWhitespace)
        }
        guard rest.first == ":" else { return nil }
        return rest.dropFirst().drop(while: \.isWhitespace)
    }
}

extension MatchingRules {
    /// The matching switches of a policy.
    init(_ policy: GatewayConfiguration.Policy) {
        self.init(matchLeads: policy.matchLeads, createContacts: policy.createContacts,
                  genericDomains: Set(policy.genericDomains.map { $0.lowercased() }), blocked: policy.blocked)
    }
}

/// What a drop folder does, from its role in the mail store.
enum DropAction: CustomStringConvertible {
    case createEmail
    case createRecord(ModuleKey)
    case assign(RecordRef)
    case unknown

    init(role: String, recordKey: String?) {
        if role == "create-email" { self = .createEmail; return }
        if role.hasPrefix("create:") { self = .createRecord(ModuleKey(String(role.dropFirst(7)))); return }
        if role.hasPrefix("assign:"), let ref = recordKey.flatMap(RecordRef.init) {
            self = .assign(ref)
            return
        }
        self = .unknown
    }

    /// Create New Email and Create New <Module> need a matched person or account when the
    /// policy's must-match is on; Assign To has its record.
    var needsAMatch: Bool {
        switch self {
        case .createEmail, .createRecord: true
        case .assign, .unknown: false
        }
    }

    var description: String {
        switch self {
        case .createEmail: "archive the mail"
        case .createRecord(let module): "create a record in \(module) from the mail"
        case .assign(let ref): "archive the mail to \(ref)"
        case .unknown: "process the mail"
        }
    }
}

/// The short message crmgate puts beside a drop that failed: which mail, what went wrong
/// and what to do; and the note that a later drop of it worked.
enum DropReport {
    static func render(action: DropAction, recordNoun: String, mail: DroppedMail, folder: String, failure: DropProcessor.DropFailure,
                       proxy: Bool) -> [UInt8] {
        let subject = mail.subject.isEmpty ? "(no subject)" : mail.subject
        let (title, doing): (String, String) = switch action {
        case .createEmail: ("Could not archive \"\(subject)\"", "archive this mail")
        case .createRecord: ("Could not create \(recordNoun) from \"\(subject)\"", "create \(recordNoun) from this mail")
        case .assign: ("Could not add \"\(subject)\" to \(Self.lastLevel(folder))", "add this mail to \(Self.lastLevel(folder))")
        case .unknown: ("Could not process \"\(subject)\"", "process this mail")
        }
        let where_ = proxy ? "waits in \"\(folder)\"" : "stays in \"\(folder)\""
        let body = """
            crmgate could not \(doing):

            \(identification(mail, folder: folder))

            What went wrong: \(failure.reason)

            What to do: \(failure.advice)

            The mail \(where_), marked with the keyword $CRMError. Once it has been filed,
            this report is removed by itself.
            """
        return MessageBuilder.build(fields: [
            .init("From", MessageBuilder.address(name: "crmgate", "crmgate@crmgate.invalid"), structured: true),
            .init("Subject", title),
            .init("Date", MessageBuilder.date(Date()), structured: true),
            // Its own Message-ID: by it a report returned to the upstream INBOX is found there again.
            .init("Message-ID", "<report-\(UUID().uuidString.lowercased())@crmgate.invalid>", structured: true),
            .init("X-CRMGate-Report", "drop-failed", structured: true),
        ], body: .text(body))
    }

    /// A drop that failed before has now worked.
    static func resolved(mail: DroppedMail, crm: String, upstreamReports: Bool) -> [UInt8] {
        let subject = mail.subject.isEmpty ? "(no subject)" : mail.subject
        let earlier = upstreamReports
            ? "The earlier report about it (\"Could not …\") no longer applies; you may delete it."
            : "The earlier report about it has been removed."
        let body = """
            The mail "\(subject)" is now in \(crm): the drop that failed before has worked.
            \(earlier)

            \(identification(mail, folder: nil))
            """
        return MessageBuilder.build(fields: [
            .init("From", MessageBuilder.address(name: "crmgate", "crmgate@crmgate.invalid"), structured: true),
            .init("Subject", "Done: \"\(subject)\" is now in \(crm)"),
            .init("Date", MessageBuilder.date(Date()), structured: true),
            .init("X-CRMGate-Report", "drop-resolved", structured: true),
        ], body: .text(body))
    }

    /// Subject, sender, date and Message-ID of the mail, so the user can find it.
    static func identification(_ mail: DroppedMail, folder: String?) -> String {
        let from = mail.index.headerValues("From", in: mail.raw).first ?? "(unknown)"
        var lines = [("Subject", mail.subject.isEmpty ? "(no subject)" : mail.subject), ("From", from),
                     ("Date", mail.index.headerValues("Date", in: mail.raw).first ?? "(none)"),
                     ("Message-ID", mail.index.messageID ?? "(none)")]
        if let folder { lines.append(("Folder", folder)) }
        return lines.map { "  \($0.0):" + String(repeating: " ", count: 11 - $0.0.count) + $0.1 }.joined(separator: "\n")
    }

    static func lastLevel(_ folder: String) -> String {
        folder.split(separator: "/").last.map(String.init) ?? folder
    }
}

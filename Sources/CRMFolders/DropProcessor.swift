import CRM
import Crypto
import Foundation
import GatewayConfig
import IMAPCore
import Logging
import MailStore
import MIMECore
import ServiceLifecycle
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
    private let current: Mutex<GatewayConfiguration>
    /// Transient failures are retried this many times, then reported.
    public static let maxAttempts = 8

    public init(store: LocalStore, connector: any CRMConnector, configuration: GatewayConfiguration, logger: Logger) {
        self.store = store
        self.connector = connector
        self.current = Mutex(configuration)
        self.logger = logger
    }

    /// Takes a reloaded configuration; drops from then on follow its policies.
    public func apply(_ configuration: GatewayConfiguration) {
        current.withLock { $0 = configuration }
    }

    /// The policy of an account, or the defaults when it follows none.
    func policy(for email: String) -> GatewayConfiguration.Policy {
        current.withLock { $0.policy(for: email) } ?? GatewayConfiguration.Policy()
    }

    public func run() async throws {
        let wakeUps = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let signals = store.drops.subscribe()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                group.addTask { for await _ in signals { wakeUps.continuation.yield() } }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: .seconds(2))
                        wakeUps.continuation.yield()
                    }
                }
                _ = await self.processDue()
                for await _ in wakeUps.stream { _ = await self.processDue() }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            wakeUps.continuation.finish()
        }
    }

    /// Processes every drop that is due; returns how many it handled.
    @discardableResult
    public func processDue(now: Date = Date()) async -> Int {
        let jobs: [DropJob]
        do {
            jobs = try await store.dueDrops(now: now)
        } catch {
            logger.error("cannot read the drop queue", metadata: ["error": "\(error)"])
            return 0
        }
        for job in jobs { await process(job) }
        return jobs.count
    }

    func process(_ job: DropJob) async {
        do {
            guard let content = try await store.content(in: job.mailbox, uid: job.uid) else { return }
            guard let email = try await store.accounts().first(where: { $0.id == job.user })?.email else { return }
            let policy = policy(for: email)
            let outcome = try await perform(job, email: email, policy: policy, raw: content.raw, index: content.index)
            switch policy.afterProcessing {
            case "keep":
                try await store.completeDrop(job, moveTo: nil)
            case "delete":
                try await store.completeDrop(job, moveTo: nil)
                _ = try await store.store(.add, flags: ["\\Deleted"], uids: [job.uid], in: job.mailbox)
                _ = try await store.expunge(job.mailbox, uids: [job.uid])
            default:
                let inbox = try await store.mailbox(of: job.user, named: "INBOX").id
                try await store.completeDrop(job, moveTo: job.source ?? inbox)
            }
            logger.info("drop done", metadata: ["action": "\(job.role)", "result": "\(outcome)"])
        } catch let failure as DropFailure {
            await fail(job, failure.message)
        } catch let error as CRMError where error.isTransient {
            if job.attempts + 1 >= Self.maxAttempts {
                await fail(job, "The CRM could not be reached after \(job.attempts + 1) attempts: \(error.message)")
                return
            }
            let delay = min(pow(2.0, Double(job.attempts)) * 5, 3600)
            logger.warning("drop will be retried", metadata: ["in": "\(Int(delay)) s", "error": "\(error.message)"])
            try? await store.retryDrop(job, at: Date().addingTimeInterval(delay), error: error.message)
        } catch let error as CRMError {
            await fail(job, "The CRM refused it: \(error.message)")
        } catch {
            logger.error("drop failed unexpectedly; it will be retried", metadata: ["error": "\(error)"])
            try? await store.retryDrop(job, at: Date().addingTimeInterval(60), error: "\(error)")
        }
    }

    /// A reason the drop cannot succeed, worded for the user.
    struct DropFailure: Error { let message: String }

    private func perform(_ job: DropJob, email: String, policy: GatewayConfiguration.Policy, raw: [UInt8],
                         index: MessageIndex) async throws -> String {
        guard let user = try await connector.user(email: email) else {
            throw DropFailure(message: "Your mail account has no user in the CRM, so nothing can be recorded for you. Ask your administrator to add one.")
        }
        let rules = MatchingRules(matchLeads: policy.matchLeads, createContacts: policy.createContacts,
                                  genericDomains: Set(policy.genericDomains.map { $0.lowercased() }), blocked: policy.blocked)
        let matched = try await RecipientMatcher(connector: connector, rules: rules, owner: user.id).match(MailAddress.all(in: index))
        if policy.skipInternal && matched.onlyUsers {
            throw DropFailure(message: "Every address of this mail belongs to a CRM user: it is internal mail, so it was not archived.")
        }
        let subject = index.headerValues("Subject", in: raw).first ?? ""
        let bodies = index.bodies(in: raw)
        let text = bodies.plain ?? bodies.html.map(Self.text(fromHTML:))
        let key = index.messageID ?? "sha256:" + SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
        var records = matched.accounts
        let target: String
        switch DropAction(role: job.role, recordKey: job.recordKey) {
        case .createEmail:
            guard !matched.people.isEmpty || !matched.accounts.isEmpty || !policy.mustMatch else {
                throw DropFailure(message: "No CRM contact or lead matches \(Self.addresses(matched)) and the policy requires a match (contacts may not be created here). Add the contact to the CRM, then move the mail here again.")
            }
            target = "email"
        case .createRecord(let module):
            let record = try await createRecord(module, subject: subject, text: text, matched: matched, owner: user.id, key: key)
            records.insert(record.ref, at: 0)
            target = "\(record.ref)"
        case .assign(let ref):
            guard try await connector.record(ref) != nil else {
                throw DropFailure(message: "The record this folder stands for (\(ref)) no longer exists in the CRM.")
            }
            records.insert(ref, at: 0)
            target = "\(ref)"
        case .unknown:
            throw DropFailure(message: "This folder is not a drop folder crmgate knows (\(job.role)).")
        }
        let envelope = index.envelope
        func addresses(_ list: [EnvelopeAddress]) -> [EmailAddress] { list.compactMap(Self.address) }
        let archive = EmailArchive(
            key: "\(key)|\(target)", messageID: index.messageID, subject: subject,
            from: envelope.from.compactMap(Self.address).first, to: addresses(envelope.to), cc: addresses(envelope.cc),
            date: index.sentDate ?? Date(), textBody: text, htmlBody: bodies.html,
            rawMessage: raw,
            attachments: index.attachments(in: raw).map { EmailAttachment(filename: $0.filename, contentType: $0.contentType, data: $0.data) },
            people: matched.people.map(\.ref), records: records, owner: user.id)
        let archived = try await connector.archiveEmail(archive)
        return "archived \(archived.id) to \(target)"
    }

    private func createRecord(_ key: ModuleKey, subject: String, text: String?, matched: MatchResult,
                              owner: CRMUserID, key messageKey: String) async throws -> CRMRecord {
        guard let module = try await connector.modules().first(where: { $0.key == key }) else { throw CRMError.unknownModule(key) }
        var fields: [String: FieldValue?] = [:]
        let name = Self.recordName(fromSubject: subject)
        fields[module.nameField] = .text(name.isEmpty ? "(no subject)" : name)
        if module.field("description") != nil, let text {
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
        return try await connector.createRecord(in: key, RecordDraft(owner: owner, fields: fields, idempotencyKey: "\(messageKey)|create:\(key)"))
    }

    private func fail(_ job: DropJob, _ message: String) async {
        logger.notice("drop failed", metadata: ["action": "\(job.role)", "reason": "\(message)"])
        do {
            try await store.failDrop(job, error: message)
            let original = try await store.content(in: job.mailbox, uid: job.uid)
            let subject = original.flatMap { $0.index.headerValues("Subject", in: $0.raw).first } ?? "(no subject)"
            let report = DropReport.render(action: DropAction(role: job.role, recordKey: job.recordKey), subject: subject, reason: message)
            _ = try await store.append(NewMessage(raw: report), to: job.mailbox, queueDrop: false)
        } catch {
            logger.error("cannot record a failed drop", metadata: ["error": "\(error)"])
        }
    }

    static func address(_ address: EnvelopeAddress) -> EmailAddress? {
        guard let mailbox = address.mailbox, let host = address.host, !host.isEmpty else { return nil }
        let name = address.name.map { HeaderDecoding.decodeEncodedWords($0) }.flatMap { $0.isEmpty ? nil : $0 }
        return EmailAddress(name: name, address: String(decoding: mailbox, as: UTF8.self) + "@" + String(decoding: host, as: UTF8.self))
    }

    static func addresses(_ matched: MatchResult) -> String {
        (matched.unmatched + matched.blocked).joined(separator: ", ")
    }

    /// The subject without reply and forward prefixes (Re:, Fwd:, AW:, WG:, SV:, …).
    static func recordName(fromSubject subject: String) -> String {
        var name = subject.trimmingCharacters(in: .whitespaces)
        let prefix = try? Regex(#"^\s*(re|fw|fwd|aw|wg|sv|vs|antw|tr)\s*(\[\d+\])?\s*:\s*"#).ignoresCase()
        while let prefix, let match = try? prefix.prefixMatch(in: name) {
            name = String(name[match.range.upperBound...])
        }
        return name.trimmingCharacters(in: .whitespaces)
    }

    /// Readable text from HTML: tags dropped, breaks and paragraphs as new lines, entities decoded.
    static func text(fromHTML html: String) -> String {
        var text = html.replacingOccurrences(of: #"(?is)<(script|style)[^>]*>.*?</\1>"#, with: "", options: .regularExpression)
        text = text.replacingOccurrences(of: #"(?i)<br\s*/?>|</p>|</div>|</li>|</tr>"#, with: "\n", options: .regularExpression)
        text = text.replacingOccurrences(of: #"<[^>]+>"#, with: "", options: .regularExpression)
        for (entity, character) in [("&nbsp;", " "), ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            text = text.replacingOccurrences(of: entity, with: character)
        }
        return text.replacingOccurrences(of: #"\n{3,}"#, with: "\n\n", options: .regularExpression).trimmingCharacters(in: .whitespacesAndNewlines)
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
        if role.hasPrefix("assign:"), let key = recordKey, let slash = key.firstIndex(of: "/") {
            self = .assign(RecordRef(ModuleKey(String(key[..<slash])), RecordID(String(key[key.index(after: slash)...]))))
            return
        }
        self = .unknown
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

/// The short message crmgate puts beside a drop that failed: what, why, what to do.
enum DropReport {
    static func render(action: DropAction, subject: String, reason: String) -> [UInt8] {
        let what: String = switch action {
        case .createEmail: "Could not archive \"\(subject)\""
        case .createRecord(let module): "Could not create \(module.rawValue.capitalized.dropLast(module.rawValue.hasSuffix("ies") ? 3 : 1))\(module.rawValue.hasSuffix("ies") ? "y" : "") from \"\(subject)\""
        case .assign: "Could not assign \"\(subject)\""
        case .unknown: "Could not process \"\(subject)\""
        }
        let body = """
            crmgate could not \(action) "\(subject)".

            Why: \(reason)

            What to do: fix the cause (for example add the contact to the CRM, or check
            the record), then move the mail into this folder again to retry. The mail is
            kept here with the keyword $CRMError until then.
            """
        return MessageBuilder.build(fields: [
            .init("From", MessageBuilder.address(name: "crmgate", "crmgate@crmgate.invalid"), structured: true),
            .init("Subject", what),
            .init("Date", MessageBuilder.date(Date()), structured: true),
            .init("X-CRMGate-Report", "drop-failed", structured: true),
        ], body: .text(body))
    }
}

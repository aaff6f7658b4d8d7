import CRM
import Crypto
import Foundation

/// BottleCRM's outbound webhooks: checks a call's signature and hands its event to the
/// connector, so a change shows before the next poll.
///
/// `X-BottleCRM-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>." + body)>`;
/// a call is refused when no `v1` matches or `t` is more than `tolerance` from now (a
/// replayed call).
public struct BottleCRMWebhook: Sendable {
    public let secret: String
    public let tolerance: TimeInterval

    public init(secret: String, tolerance: TimeInterval = 300) {
        self.secret = secret
        self.tolerance = tolerance
    }

    /// Why a call was refused, in words for the log and the 401 answer.
    public struct Refusal: Error, Equatable, CustomStringConvertible {
        public var description: String
    }

    public func verify(signature header: String?, body: [UInt8], now: Date = Date()) throws(Refusal) {
        guard let header, !header.isEmpty else { throw Refusal(description: "no X-BottleCRM-Signature header") }
        var timestamp: String?
        var signatures: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = pair[1] }
            if pair[0] == "v1" { signatures.append(pair[1].lowercased()) }
        }
        guard let timestamp, let seconds = TimeInterval(timestamp) else { throw Refusal(description: "the signature has no timestamp t=") }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else {
            throw Refusal(description: "the signature's timestamp is more than \(Int(tolerance)) s from now")
        }
        let key = SymmetricKey(data: Data(secret.utf8))
        let expected = HMAC<SHA256>.authenticationCode(for: Array("\(timestamp).".utf8) + body, using: key)
            .map { String(format: "%02x", $0) }.joined()
        guard signatures.contains(where: { Self.constantTimeEqual($0, expected) }) else {
            throw Refusal(description: "the signature does not match the body and the shared secret")
        }
    }

    private static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension BottleCRMConnector {
    /// BottleCRM's event names' first part → crmgate's module.
    static let eventModules: [String: ModuleKey] = [
        "lead": .leads, "contact": .contacts, "account": .accounts, "deal": .opportunities, "ticket": .cases, "task": .tasks,
    ]

    /// Takes a verified webhook call: reads the record it names again (or forgets it when
    /// deleted), so the change log and the copy have it at once. Returns what it did.
    public func receiveWebhook(_ body: [UInt8]) async throws -> String {
        guard let event = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), let name = event["event"].string,
              case let data = event["data"], data.object != nil else {
            throw CRMError(.permanent, "the webhook body is not a BottleCRM event")
        }
        let parts = name.split(separator: ".", maxSplits: 1).map(String.init)
        if parts.first == "interaction" {
            let linked = FieldMapping.relatedFields.compactMap { field, module -> RecordRef? in
                let id = data["\(field)_id"].nonEmptyString ?? (field == "case" ? data["ticket_id"].nonEmptyString : nil)
                return id.map { RecordRef(module, RecordID($0)) }
            } + (data["contact_id"].nonEmptyString.map { [RecordRef(.contacts, RecordID($0))] } ?? [])
            await activities.forget(linked)
            for key in Set(linked.map(\.module)) { notifier.publish(key) }
            return "\(name): activities of \(linked.count) record(s) read again"
        }
        guard let first = parts.first, let key = Self.eventModules[first], let id = data["id"].nonEmptyString else {
            return "\(name): not an event crmgate follows"
        }
        if parts.last == "deleted" {
            try forget(key, id: id)
            return "\(name): \(key)/\(id) forgotten"
        }
        _ = try await fetchRecord(try mapping(key), RecordRef(key, RecordID(id)))
        return "\(name): \(key)/\(id) read again"
    }
}

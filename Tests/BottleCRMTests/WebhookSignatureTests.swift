@testable import BottleCRM
import Crypto
import Foundation
import Testing

/// BottleCRM's webhook calls are taken only with a valid signature made at most five
/// minutes ago (`t=<unix>,v1=<hex HMAC-SHA256(secret, "t." + body)>`).
@Suite("BottleCRM webhook signatures")
struct WebhookSignatureTests {
    let webhook = BottleCRMWebhook(secret: "whsec_test")
    let body = Array(#"{"event":"deal.created","data":{"id":"1"}}"#.utf8)
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func signature(_ secret: String = "whsec_test", at time: Int = 1_800_000_000, body: [UInt8]? = nil) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Array("\(time).".utf8) + (body ?? self.body), using: SymmetricKey(data: Data(secret.utf8)))
        return "t=\(time),v1=" + mac.map { String(format: "%02x", $0) }.joined()
    }

    @Test func acceptsTheSignatureBottleCRMMakes() throws {
        try webhook.verify(signature: signature(), body: body, now: now)
        try webhook.verify(signature: signature(at: 1_800_000_000 - 299), body: body, now: now)
    }

    @Test func acceptsWhenOneOfSeveralSignaturesMatches() throws {
        let good = signature()
        try webhook.verify(signature: "t=1800000000,v1=\(String(repeating: "0", count: 64)),\(good.split(separator: ",")[1])", body: body, now: now)
    }

    @Test(arguments: [
        ("", "no X-BottleCRM-Signature header"),
        ("v1=abc", "the signature has no timestamp t="),
    ])
    func refusesAMalformedHeader(_ header: String, _ reason: String) {
        #expect(throws: BottleCRMWebhook.Refusal(description: reason)) { try webhook.verify(signature: header, body: body, now: now) }
    }

    @Test func refusesAnotherSecretAChangedBodyAndAnOldCall() {
        #expect(throws: BottleCRMWebhook.Refusal.self) { try webhook.verify(signature: signature("other"), body: body, now: now) }
        #expect(throws: BottleCRMWebhook.Refusal.self) { try webhook.verify(signature: signature(), body: body + [0x20], now: now) }
        #expect(throws: BottleCRMWebhook.Refusal(description: "the signature's timestamp is more than 300 s from now")) {
            try webhook.verify(signature: signature(at: 1_800_000_000 - 301), body: body, now: now)
        }
        #expect(throws: BottleCRMWebhook.Refusal.self) { try webhook.verify(signature: nil, body: body, now: now) }
    }
}

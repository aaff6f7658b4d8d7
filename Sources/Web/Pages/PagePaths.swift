import CRM

/// The paths of the web UI's pages. They match `EmbeddedCRM.viewURL` / `editURL`
/// (`<public_url>/<module>/<id>` and `…/edit`), which summary emails link to.
enum PagePaths {
    static func list(_ module: ModuleKey) -> String { "/" + URLText.encode(module.rawValue) }
    static func new(_ module: ModuleKey) -> String { list(module) + "/new" }
    static func view(_ ref: RecordRef) -> String { list(ref.module) + "/" + URLText.encode(ref.id.rawValue) }
    static func edit(_ ref: RecordRef) -> String { view(ref) + "/edit" }
    static func delete(_ ref: RecordRef) -> String { view(ref) + "/delete" }
    static func rawEmail(_ id: RecordID) -> String { "/emails/" + URLText.encode(id.rawValue) + "/raw" }
    static func attachment(_ id: Int64, ofEmail email: RecordID) -> String {
        "/emails/" + URLText.encode(email.rawValue) + "/attachments/\(id)"
    }
}

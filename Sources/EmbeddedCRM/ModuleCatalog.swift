import CRM

/// The modules the embedded CRM offers: the built-ins plus the custom modules of the
/// configuration, checked once so that every later lookup can trust them.
struct ModuleCatalog: Sendable {
    let all: [ModuleDefinition]
    private let byKey: [ModuleKey: ModuleDefinition]

    /// Keys that name something other than a record module.
    private static let reservedKeys: Set<ModuleKey> = [.users, .emails, "api", "static", "login", "logout"]

    init(custom: [ModuleDefinition]) throws(CRMError) {
        var modules = ModuleDefinition.builtIns
        var keys = Set(modules.map(\.key))
        var prefixes = Set(modules.compactMap(\.numberPrefix))
        for module in custom {
            try Self.check(module, keys: keys, prefixes: prefixes)
            keys.insert(module.key)
            if let prefix = module.numberPrefix { prefixes.insert(prefix) }
            var custom = module
            custom.isCustom = true
            modules.append(custom)
        }
        for module in custom {
            for field in module.fields {
                if case .reference(let target?) = field.type, !keys.contains(target) {
                    throw CRMError(.permanent, "the field \"\(field.key)\" of the custom module \"\(module.key)\" refers to a module \"\(target)\" that does not exist; fix the reference")
                }
            }
        }
        self.all = modules
        self.byKey = Dictionary(modules.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
    }

    func definition(_ key: ModuleKey) -> ModuleDefinition? { byKey[key] }

    private static func check(_ module: ModuleDefinition, keys: Set<ModuleKey>, prefixes: Set<String>) throws(CRMError) {
        let name = "custom module \"\(module.key)\""
        guard !module.key.rawValue.isEmpty,
              module.key.rawValue.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw CRMError(.permanent, "the \(name) needs a key of lower-case letters, digits, - or _ (it appears in URLs)")
        }
        guard !keys.contains(module.key), !reservedKeys.contains(module.key) else {
            throw CRMError(.permanent, "the \(name) has the key of a module that already exists; choose another key")
        }
        if let prefix = module.numberPrefix, prefixes.contains(prefix) {
            throw CRMError(.permanent, "the \(name) numbers its records with the prefix \(prefix), which another module already uses; choose another prefix")
        }
        var seen = Set<String>()
        for field in module.fields where !seen.insert(field.key).inserted {
            throw CRMError(.permanent, "the \(name) declares the field \"\(field.key)\" twice; remove one")
        }
        guard module.field(module.nameField) != nil else {
            throw CRMError(.permanent, "the \(name) names its records by the field \"\(module.nameField)\", which it does not declare; add the field or change the name field")
        }
        if let rule = module.closedRule, module.field(rule.field) == nil {
            throw CRMError(.permanent, "the closed rule of the \(name) looks at the field \"\(rule.field)\", which it does not declare; fix the rule")
        }
    }
}

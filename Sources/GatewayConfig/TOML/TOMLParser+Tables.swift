// Where keys and headers land, and the TOML 1.0 rules against defining anything twice.
extension TOMLParser {
    /// `a.b.c = value` inside `table`: `a` and `b` become (or must be) tables made by dotted keys.
    func define(_ key: TOMLKey, as value: TOMLValue, in table: TOMLTableNode) throws(TOMLError) {
        var node = table
        for (position, part) in key.parts.dropLast().enumerated() {
            let path = node.path + [part.name]
            switch node[part.name] {
            case nil:
                let child = TOMLTableNode(path: path, origin: .dotted, definedAt: part.offset)
                node.set(part.name, .table(child), definedAt: part.offset)
                node = child
            case .table(let child) where child.origin == .dotted:
                node = child
            case .table(let child):
                throw error(
                    "cannot add \(key.display) with a dotted key: [\(child.dottedPath)] is a table defined on line \(line(of: child.definedAt)); add the key under that header instead",
                    at: part.offset)
            case .tableArray:
                throw error(
                    "cannot add \(key.display) with a dotted key: \(TOMLKey.display(path)) is an array of tables", at: part.offset)
            case .value(let existing):
                let prefix = TOMLKey.display(Array(key.names[...position]))
                throw error(
                    "cannot add \(key.display): \(prefix) is already \(existing.typeDescription) (line \(line(of: node.offset(of: part.name)))), which cannot hold keys",
                    at: part.offset)
            }
        }
        guard let last = key.parts.last else { return }
        if node[last.name] != nil {
            let place = node.path.isEmpty ? "" : " in [\(node.dottedPath)]"
            throw error(
                "duplicate key \(TOMLKey.display([last.name]))\(place); it is already defined on line \(line(of: node.offset(of: last.name)))",
                at: last.offset)
        }
        node.set(last.name, .value(value), definedAt: last.offset)
    }

    /// `[a.b.c]`: walks to `a.b` (through the last element of arrays of tables) and defines `c`.
    func defineTable(_ key: TOMLKey, in root: TOMLTableNode, headerAt start: Int) throws(TOMLError) -> TOMLTableNode {
        let parent = try walkToParent(of: key, from: root, header: "[\(key.dotted)]")
        guard let last = key.parts.last else { return parent }
        let path = parent.path + [last.name]
        switch parent[last.name] {
        case nil:
            let table = TOMLTableNode(path: path, origin: .header, definedAt: start)
            parent.set(last.name, .table(table), definedAt: start)
            return table
        case .table(let table) where table.origin == .implicit:
            table.origin = .header
            table.definedAt = start
            return table
        case .table(let table) where table.origin == .dotted:
            throw error(
                "cannot define table [\(key.dotted)]: dotted keys on line \(line(of: table.definedAt)) already defined it", at: start)
        case .table(let table):
            throw error("table [\(key.dotted)] is defined twice; it was first defined on line \(line(of: table.definedAt))", at: start)
        case .tableArray:
            throw error(
                "cannot define table [\(key.dotted)]: it is already an array of tables (line \(line(of: parent.offset(of: last.name))))",
                at: start)
        case .value(let existing):
            throw error(
                "cannot define table [\(key.dotted)]: the key is already \(existing.typeDescription) (line \(line(of: parent.offset(of: last.name))))",
                at: start)
        }
    }

    /// `[[a.b]]`: appends a new table to the array of tables `a.b`.
    func appendTableArrayElement(_ key: TOMLKey, in root: TOMLTableNode, headerAt start: Int) throws(TOMLError) -> TOMLTableNode {
        let parent = try walkToParent(of: key, from: root, header: "[[\(key.dotted)]]")
        guard let last = key.parts.last else { return parent }
        let element = TOMLTableNode(path: parent.path + [last.name], origin: .header, definedAt: start)
        switch parent[last.name] {
        case nil:
            parent.set(last.name, .tableArray([element]), definedAt: start)
        case .tableArray(let elements):
            parent.set(last.name, .tableArray(elements + [element]), definedAt: start)
        case .table(let table):
            throw error(
                "cannot append to [[\(key.dotted)]]: it is already a table (line \(line(of: table.definedAt)))", at: start)
        case .value(let existing):
            throw error(
                "cannot append to [[\(key.dotted)]]: the key is already \(existing.typeDescription) (line \(line(of: parent.offset(of: last.name))))",
                at: start)
        }
        return element
    }

    private func walkToParent(of key: TOMLKey, from root: TOMLTableNode, header: String) throws(TOMLError) -> TOMLTableNode {
        var node = root
        for (position, part) in key.parts.dropLast().enumerated() {
            switch node[part.name] {
            case nil:
                let child = TOMLTableNode(path: node.path + [part.name], origin: .implicit, definedAt: part.offset)
                node.set(part.name, .table(child), definedAt: part.offset)
                node = child
            case .table(let child):
                node = child
            case .tableArray(let elements):
                guard let lastElement = elements.last else { return node }
                node = lastElement
            case .value(let existing):
                let prefix = TOMLKey.display(Array(key.names[...position]))
                throw error(
                    "cannot define \(header): \(prefix) is already \(existing.typeDescription) (line \(line(of: node.offset(of: part.name))))",
                    at: part.offset)
            }
        }
        return node
    }
}

import Foundation

/// The unpickler's working values. Lists, dicts and objects are references, as in Python,
/// so that a memo entry (or a second reference to the same container) sees items added
/// after it was stored. `freeze` turns them into `PickleValue`s once the pickle is read.
enum PickleItem {
    /// Immutable values: None, bools, numbers, strings, bytes, tensors, globals.
    case value(PickleValue)
    case tuple([PickleItem])
    case list(ListBox)
    case dict(DictBox)
    case object(ObjectBox)

    static func object(_ type: String, args: [PickleItem] = []) -> PickleItem {
        .object(ObjectBox(type: type, args: args))
    }

    var global: (module: String, name: String)? {
        if case .value(.global(let module, let name)) = self { return (module, name) }
        return nil
    }

    var string: String? { if case .value(.string(let s)) = self { return s } else { return nil } }

    /// The elements of a tuple or list.
    var elements: [PickleItem]? {
        switch self {
        case .tuple(let items): return items
        case .list(let box): return box.items
        default: return nil
        }
    }

    var typeName: String {
        switch self {
        case .value(let v): return v.typeName
        case .tuple: return "tuple"
        case .list: return "list"
        case .dict: return "dict"
        case .object(let box): return box.type
        }
    }
}

final class ListBox {
    var items: [PickleItem]
    init(_ items: [PickleItem] = []) { self.items = items }
}

final class DictBox {
    private(set) var pairs: [(key: PickleItem, value: PickleItem)] = []
    private var positions: [DictKey: Int] = [:]

    /// Sets `key` to `value`: a key already present keeps its place, as in Python.
    func set(_ key: PickleItem, _ value: PickleItem) {
        if let k = DictKey(key) {
            if let at = positions[k] {
                pairs[at].value = value
                return
            }
            positions[k] = pairs.count
        }
        pairs.append((key, value))
    }

    /// Empties the dict, returning what it held.
    func drain() -> [(key: PickleItem, value: PickleItem)] {
        defer {
            pairs = []
            positions = [:]
        }
        return pairs
    }
}

final class ObjectBox {
    let type: String
    var args: [PickleItem]
    var state: PickleItem?
    var items: [PickleItem] = []
    var pairs: [(key: PickleItem, value: PickleItem)] = []
    init(type: String, args: [PickleItem] = []) {
        self.type = type
        self.args = args
    }
}

/// The hashable keys Python dicts use in practice, with Python's equalities (True == 1 == 1.0).
enum DictKey: Hashable {
    case none
    case int(Int)
    case float(UInt64)
    case string(String)
    case bytes(Data)
    case global(String)
    indirect case tuple([DictKey])

    /// Nil for unhashable keys, and for tuples nested deeper than Python code would use.
    init?(_ item: PickleItem, depth: Int = 0) {
        switch item {
        case .value(.none): self = .none
        case .value(.bool(let b)): self = .int(b ? 1 : 0)
        case .value(.int(let i)): self = .int(i)
        case .value(.float(let d)):
            if let i = Int(exactly: d) { self = .int(i) } else { self = .float(d.bitPattern) }
        case .value(.string(let s)): self = .string(s)
        case .value(.bytes(let b)): self = .bytes(b)
        case .value(.global(let m, let n)): self = .global(m + "." + n)
        case .tuple(let items):
            guard depth < 32 else { return nil }
            var keys: [DictKey] = []
            for item in items {
                guard let k = DictKey(item, depth: depth + 1) else { return nil }
                keys.append(k)
            }
            self = .tuple(keys)
        default: return nil
        }
    }
}

/// Converts working values to `PickleValue`s. A container reached twice is converted once;
/// one that contains itself is cut at the loop (Python can pickle such cycles).
struct PickleFreezer {
    private var done: [ObjectIdentifier: PickleValue] = [:]
    private var active: Set<ObjectIdentifier> = []
    private var depth = 0
    static let maxDepth = 200

    mutating func freeze(_ item: PickleItem) throws -> PickleValue {
        switch item {
        case .value(let v): return v
        case .tuple(let items): return .tuple(try nested { f in try items.map { try f.freeze($0) } })
        case .list(let box): return try shared(box) { f in .list(try box.items.map { try f.freeze($0) }) }
        case .dict(let box):
            return try shared(box) { f in .dict(try box.pairs.map { (try f.freeze($0.key), try f.freeze($0.value)) }) }
        case .object(let box):
            return try shared(box) { f in
                .object(PickleObject(
                    type: box.type, args: try box.args.map { try f.freeze($0) },
                    state: try box.state.map { try f.freeze($0) }, items: try box.items.map { try f.freeze($0) },
                    pairs: try box.pairs.map { (try f.freeze($0.key), try f.freeze($0.value)) }))
            }
        }
    }

    private mutating func nested<R>(_ body: (inout PickleFreezer) throws -> R) throws -> R {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else {
            throw PickleError("containers nested more than \(Self.maxDepth) deep")
        }
        return try body(&self)
    }

    private mutating func shared(_ box: AnyObject, _ body: (inout PickleFreezer) throws -> PickleValue) throws
        -> PickleValue
    {
        let id = ObjectIdentifier(box)
        if let value = done[id] { return value }
        if active.contains(id) { return .object(PickleObject(type: "<recursive reference>")) }
        active.insert(id)
        defer { active.remove(id) }
        let value = try nested(body)
        done[id] = value
        return value
    }
}

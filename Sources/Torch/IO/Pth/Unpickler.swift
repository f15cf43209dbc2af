import Foundation

/// A pickle virtual machine for protocols 2–5 (plus the protocol 0/1 opcodes old pickles still
/// use; not STRING, UNICODE, INST, OBJ, EXT*, or out-of-band buffers) that runs no Python: it rebuilds plain values and
/// containers itself, lets hooks turn persistent ids and calls into values (PyTorch storages and
/// tensors, see `TorchPickleHooks`), and records every other object opaquely. Malformed input
/// throws a `PickleError` with the byte offset; it never traps.
public struct Unpickler {
    /// Resolves a persistent id (BINPERSID) to a value.
    public typealias PersistentLoad = (_ pid: PickleValue) throws -> PickleValue
    /// Builds the result of calling `module.name(*args)`, or returns nil to leave it opaque.
    public typealias Call = (_ module: String, _ name: String, _ args: [PickleValue]) throws -> PickleValue?

    let bytes: [UInt8]
    public var persistentLoad: PersistentLoad?
    public var call: Call?

    public init(_ bytes: [UInt8], persistentLoad: PersistentLoad? = nil, call: Call? = nil) {
        self.bytes = bytes
        self.persistentLoad = persistentLoad
        self.call = call
    }

    public init(_ data: Data, persistentLoad: PersistentLoad? = nil, call: Call? = nil) {
        self.init([UInt8](data), persistentLoad: persistentLoad, call: call)
    }

    /// Runs the pickle to its STOP opcode and returns the object it built.
    public func load() throws -> PickleValue {
        try bytes.withUnsafeBytes { raw in
            try Self.load(raw, at: 0, persistentLoad: persistentLoad, call: call).value
        }
    }

    /// Runs one pickle starting at byte `offset` of a larger buffer, without copying it: legacy
    /// `torch.save` files are several pickles in a row followed by raw data. Error offsets count
    /// from the start of `bytes`; `end` is the offset just past the STOP opcode.
    static func load(_ bytes: UnsafeRawBufferPointer, at offset: Int, persistentLoad: PersistentLoad? = nil,
                     call: Call? = nil) throws -> (value: PickleValue, end: Int) {
        var machine = Machine(cursor: ByteCursor(bytes, at: offset), persistentLoad: persistentLoad, call: call)
        let value = try machine.run()
        return (value, machine.cursor.offset)
    }
}

/// The VM's state while one pickle runs.
private struct Machine {
    var cursor: ByteCursor
    let persistentLoad: Unpickler.PersistentLoad?
    let call: Unpickler.Call?
    var stack: [PickleItem] = []
    /// Stack heights at each MARK.
    var marks: [Int] = []
    var memo: [Int: PickleItem] = [:]
    /// Offset of the opcode being run, for errors.
    var at = 0

    init(cursor: ByteCursor, persistentLoad: Unpickler.PersistentLoad?, call: Unpickler.Call?) {
        self.cursor = cursor
        self.persistentLoad = persistentLoad
        self.call = call
    }

    func fail(_ message: String) -> PickleError { PickleError(offset: at, message) }

    mutating func run() throws -> PickleValue {
        defer { dismantle() }
        while true {
            at = cursor.offset
            guard let code = cursor.uint8() else {
                throw fail("the pickle ends without a STOP opcode (the data is truncated)")
            }
            guard let op = PickleOpcode(rawValue: code) else {
                let char = (0x20..<0x7F).contains(code) ? " ('\(Character(Unicode.Scalar(code)))')" : ""
                throw fail("unknown or unsupported opcode 0x\(String(code, radix: 16))\(char)")
            }
            if op == .stop {
                // The result stays on the stack until dismantle() takes it apart.
                var freezer = PickleFreezer()
                do { return try freezer.freeze(try top()) } catch let e as PickleError { throw fail(e.message) }
            }
            try step(op)
        }
    }

    /// Takes the working containers apart one level at a time. Left to ARC, a crafted pickle
    /// nesting containers a million deep would be released recursively and overflow the stack
    /// (and containers that hold themselves would leak).
    mutating func dismantle() {
        var work = stack + Array(memo.values)
        stack.removeAll()
        memo.removeAll()
        while let item = work.popLast() {
            switch item {
            case .value: break
            case .tuple(let items): work += items
            case .list(let box):
                work += box.items
                box.items = []
            case .dict(let box):
                for pair in box.drain() { work += [pair.key, pair.value] }
            case .object(let box):
                work += box.args + box.items
                if let state = box.state { work.append(state) }
                for pair in box.pairs { work += [pair.key, pair.value] }
                box.args = []
                box.items = []
                box.state = nil
                box.pairs = []
            }
        }
    }

    // MARK: operand reading

    mutating func read(_ count: Int, _ what: String) throws -> UnsafeRawBufferPointer {
        guard let bytes = cursor.take(count) else {
            throw fail("\(what) needs \(count) bytes but only \(cursor.remaining) are left (the data is truncated)")
        }
        return bytes
    }

    mutating func readInt<I: FixedWidthInteger>(_ type: I.Type, _ what: String) throws -> I {
        I(littleEndian: try read(MemoryLayout<I>.size, what).loadUnaligned(as: I.self))
    }

    mutating func readLength<I: FixedWidthInteger>(_ type: I.Type, _ what: String) throws -> Int {
        let n = try readInt(type, what)
        guard n >= 0, let length = Int(exactly: n), length <= cursor.remaining else {
            throw fail("\(what) of \(n) bytes runs past the end of the data (\(cursor.remaining) bytes left)")
        }
        return length
    }

    mutating func readLine(_ what: String) throws -> String {
        guard let line = cursor.line() else { throw fail("\(what): no end of line (the data is truncated)") }
        return String(decoding: line, as: UTF8.self)
    }

    mutating func readUTF8<I: FixedWidthInteger>(_ lengthType: I.Type, _ what: String) throws -> String {
        let bytes = try read(try readLength(lengthType, what), what)
        guard let text = String(bytes: bytes, encoding: .utf8) else { throw fail("\(what) is not valid UTF-8") }
        return text
    }

    mutating func readBytes<I: FixedWidthInteger>(_ lengthType: I.Type, _ what: String) throws -> Data {
        Data(try read(try readLength(lengthType, what), what))
    }

    // MARK: stack

    mutating func push(_ item: PickleItem) { stack.append(item) }
    mutating func push(_ value: PickleValue) { stack.append(.value(value)) }

    mutating func pop() throws -> PickleItem {
        guard stack.count > (marks.last ?? 0) else { throw fail("stack underflow") }
        return stack.removeLast()
    }

    func top() throws -> PickleItem {
        guard stack.count > (marks.last ?? 0), let last = stack.last else { throw fail("stack underflow") }
        return last
    }

    /// The items pushed since the last MARK, removing them and the mark.
    mutating func popMark() throws -> [PickleItem] {
        guard let mark = marks.popLast() else { throw fail("no MARK to pop to") }
        guard mark <= stack.count else { throw fail("MARK lies above the stack") }
        let items = Array(stack[mark...])
        stack.removeSubrange(mark...)
        return items
    }

    mutating func memoGet(_ index: Int) throws -> PickleItem {
        guard let item = memo[index] else { throw fail("memo entry \(index) was never stored") }
        return item
    }

    mutating func memoPut(_ index: Int) throws { memo[index] = try top() }

    // MARK: opcodes

    mutating func step(_ op: PickleOpcode) throws {
        switch op {
        case .proto:
            let version = try readInt(UInt8.self, "PROTO")
            guard version <= 5 else { throw fail("pickle protocol \(version) is newer than 5") }
        case .frame:
            _ = try readInt(UInt64.self, "FRAME")  // framing only groups opcodes; the bytes are contiguous
        case .stop:
            break  // handled by run()
        case .mark:
            marks.append(stack.count)
        case .pop:
            if stack.count > (marks.last ?? 0) { stack.removeLast() } else { _ = try popMark() }
        case .popMark:
            _ = try popMark()
        case .dup:
            push(try top())

        // constants and numbers
        case .none: push(.none)
        case .newTrue: push(.bool(true))
        case .newFalse: push(.bool(false))
        case .binInt: push(.int(Int(try readInt(Int32.self, "BININT"))))
        case .binInt1: push(.int(Int(try readInt(UInt8.self, "BININT1"))))
        case .binInt2: push(.int(Int(try readInt(UInt16.self, "BININT2"))))
        case .long1: push(decodeLong(try read(try readLength(UInt8.self, "LONG1"), "LONG1")))
        case .long4: push(decodeLong(try read(try readLength(Int32.self, "LONG4"), "LONG4")))
        case .binFloat:
            push(.float(Double(bitPattern: UInt64(bigEndian: try read(8, "BINFLOAT").loadUnaligned(as: UInt64.self)))))
        case .int:
            let text = try readLine("INT")
            switch text {
            case "00": push(.bool(false))
            case "01": push(.bool(true))
            default:
                guard let i = Int(text) else { throw fail("INT operand '\(text)' is not an integer") }
                push(.int(i))
            }
        case .long:
            let text = try readLine("LONG")
            guard let i = Int(text.hasSuffix("L") ? String(text.dropLast()) : text) else {
                throw fail("LONG operand '\(text)' is not a 64-bit integer")
            }
            push(.int(i))
        case .float:
            let text = try readLine("FLOAT")
            guard let d = Double(text) else { throw fail("FLOAT operand '\(text)' is not a number") }
            push(.float(d))

        // strings and bytes
        case .binUnicode: push(.string(try readUTF8(UInt32.self, "BINUNICODE")))
        case .shortBinUnicode: push(.string(try readUTF8(UInt8.self, "SHORT_BINUNICODE")))
        case .binUnicode8: push(.string(try readUTF8(UInt64.self, "BINUNICODE8")))
        case .binBytes: push(.bytes(try readBytes(UInt32.self, "BINBYTES")))
        case .shortBinBytes: push(.bytes(try readBytes(UInt8.self, "SHORT_BINBYTES")))
        case .binBytes8: push(.bytes(try readBytes(UInt64.self, "BINBYTES8")))
        case .byteArray8: push(.bytes(try readBytes(UInt64.self, "BYTEARRAY8")))
        case .binString, .shortBinString:
            // Python 2 str: text when it is UTF-8 (as torch.load decodes it), bytes otherwise.
            let data = op == .binString
                ? try readBytes(Int32.self, "BINSTRING") : try readBytes(UInt8.self, "SHORT_BINSTRING")
            push(String(data: data, encoding: .utf8).map(PickleValue.string) ?? .bytes(data))

        // containers
        case .emptyTuple: push(PickleItem.tuple([]))
        case .tuple: push(.tuple(try popMark()))
        case .tuple1:
            let a = try pop()
            push(.tuple([a]))
        case .tuple2:
            let b = try pop(), a = try pop()
            push(.tuple([a, b]))
        case .tuple3:
            let c = try pop(), b = try pop(), a = try pop()
            push(.tuple([a, b, c]))
        case .emptyList: push(.list(ListBox()))
        case .list: push(.list(ListBox(try popMark())))
        case .emptyDict: push(.dict(DictBox()))
        case .dict:
            let items = try popMark()
            guard items.count % 2 == 0 else { throw fail("DICT with an odd number (\(items.count)) of items") }
            let box = DictBox()
            for i in stride(from: 0, to: items.count, by: 2) { box.set(items[i], items[i + 1]) }
            push(.dict(box))
        case .emptySet: push(.object(ObjectBox(type: "builtins.set")))
        case .frozenSet:
            let box = ObjectBox(type: "builtins.frozenset")
            box.items = try popMark()
            push(.object(box))
        case .append:
            let item = try pop()
            try append([item], to: try top(), "APPEND")
        case .appends:
            let items = try popMark()
            try append(items, to: try top(), "APPENDS")
        case .addItems:
            let items = try popMark()
            try append(items, to: try top(), "ADDITEMS")
        case .setItem:
            let value = try pop(), key = try pop()
            try setItems([key, value], on: try top(), "SETITEM")
        case .setItems:
            let items = try popMark()
            guard items.count % 2 == 0 else { throw fail("SETITEMS with an odd number (\(items.count)) of items") }
            try setItems(items, on: try top(), "SETITEMS")

        // memo
        case .binPut: try memoPut(Int(try readInt(UInt8.self, "BINPUT")))
        case .longBinPut: try memoPut(Int(try readInt(UInt32.self, "LONG_BINPUT")))
        case .memoize: try memoPut(memo.count)
        case .binGet: push(try memoGet(Int(try readInt(UInt8.self, "BINGET"))))
        case .longBinGet: push(try memoGet(Int(try readInt(UInt32.self, "LONG_BINGET"))))
        case .put, .get:
            let text = try readLine(op == .put ? "PUT" : "GET")
            guard let index = Int(text) else { throw fail("memo index '\(text)' is not an integer") }
            if op == .put { try memoPut(index) } else { push(try memoGet(index)) }

        // objects
        case .global:
            let module = try readLine("GLOBAL module"), name = try readLine("GLOBAL name")
            push(.global(module: PythonGlobals.canonical(module: module), name: name))
        case .stackGlobal:
            let name = try pop(), module = try pop()
            guard let n = name.string, let m = module.string else {
                throw fail("STACK_GLOBAL needs two strings, got \(module.typeName) and \(name.typeName)")
            }
            push(.global(module: PythonGlobals.canonical(module: m), name: n))
        case .reduce:
            let args = try pop(), callable = try pop()
            guard let list = args.elements else { throw fail("REDUCE arguments are a \(args.typeName), not a tuple") }
            push(try apply(callable, list))
        case .newObj:
            let args = try pop(), cls = try pop()
            guard let list = args.elements else { throw fail("NEWOBJ arguments are a \(args.typeName), not a tuple") }
            push(try apply(cls, list))
        case .newObjEx:
            _ = try pop()  // keyword arguments
            let args = try pop(), cls = try pop()
            guard let list = args.elements else { throw fail("NEWOBJ_EX arguments are a \(args.typeName), not a tuple") }
            push(try apply(cls, list))
        case .build:
            let state = try pop()
            // Objects keep their state; dicts (OrderedDict's `_metadata`) and others ignore it.
            if case .object(let box) = try top() { box.state = state }
        case .binPersId:
            push(try persistent(try pop()))
        case .persId:
            push(try persistent(.value(.string(try readLine("PERSID")))))
        }
    }

    /// Python ints from LONG1/LONG4: little-endian two's complement of any length.
    func decodeLong(_ bytes: UnsafeRawBufferPointer) -> PickleValue {
        guard let last = bytes.last else { return .int(0) }
        let fill: UInt8 = last & 0x80 != 0 ? 0xFF : 0
        if bytes.count > 8, !bytes[8...].allSatisfy({ $0 == fill }) || (bytes[7] & 0x80 != 0) != (fill != 0) {
            return .object(PickleObject(type: "builtins.int", args: [.bytes(Data(bytes))]))
        }
        var value: UInt64 = 0
        for i in (0..<8).reversed() { value = value << 8 | UInt64(i < bytes.count ? bytes[i] : fill) }
        return .int(Int(Int64(bitPattern: value)))
    }

    mutating func append(_ items: [PickleItem], to target: PickleItem, _ what: String) throws {
        switch target {
        case .list(let box): box.items += items
        case .object(let box): box.items += items
        default: throw fail("\(what) to a \(target.typeName), which is not a list")
        }
    }

    mutating func setItems(_ items: [PickleItem], on target: PickleItem, _ what: String) throws {
        switch target {
        case .dict(let box):
            for i in stride(from: 0, to: items.count, by: 2) { box.set(items[i], items[i + 1]) }
        case .object(let box):
            for i in stride(from: 0, to: items.count, by: 2) { box.pairs.append((items[i], items[i + 1])) }
        default: throw fail("\(what) on a \(target.typeName), which is not a dict")
        }
    }

    /// REDUCE / NEWOBJ: the library's own models first, then the caller's hook, else opaque.
    mutating func apply(_ callable: PickleItem, _ args: [PickleItem]) throws -> PickleItem {
        guard let (module, name) = callable.global else {
            return .object(ObjectBox(type: "<call of \(callable.typeName)>", args: args))
        }
        if let result = PythonGlobals.call(module, name, args) { return result }
        if let call {
            let values = try freeze(args)
            if let result = try hooked({ try call(module, name, values) }) { return .value(result) }
        }
        return .object(ObjectBox(type: "\(module).\(name)", args: args))
    }

    mutating func persistent(_ pid: PickleItem) throws -> PickleItem {
        let value = try freeze([pid])[0]
        guard let persistentLoad else {
            return .value(.object(PickleObject(type: "<persistent id>", args: [value])))
        }
        return .value(try hooked { try persistentLoad(value) })
    }

    func freeze(_ items: [PickleItem]) throws -> [PickleValue] {
        var freezer = PickleFreezer()
        do { return try items.map { try freezer.freeze($0) } } catch let e as PickleError { throw fail(e.message) }
    }

    /// Runs a hook; its errors get this opcode's offset.
    func hooked<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch var error as PickleError {
            if error.offset == nil { error.offset = at }
            throw error
        } catch {
            throw fail("\(error)")
        }
    }
}

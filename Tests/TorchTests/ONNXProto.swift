import Foundation

/// A minimal protobuf writer for hand-made (and deliberately broken) ONNX files: the tests need
/// models that `ONNXFile.write` would never produce, such as raw data that does not match the
/// dims or dims that overflow. Field numbers are onnx.proto's.
struct Proto {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func int(_ field: Int, _ value: Int64) {
        varint(UInt64(field << 3))
        varint(UInt64(bitPattern: value))
    }

    mutating func float(_ field: Int, _ value: Float) {
        varint(UInt64(field << 3 | 5))
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes += $0 }
    }

    mutating func data(_ field: Int, _ data: [UInt8]) {
        varint(UInt64(field << 3 | 2))
        varint(UInt64(data.count))
        bytes += data
    }

    mutating func string(_ field: Int, _ text: String) { data(field, Array(text.utf8)) }
    mutating func message(_ field: Int, _ m: Proto) { data(field, m.bytes) }

    // MARK: ONNX messages

    static func tensor(_ name: String, dims: [Int64], type: Int64 = 1, raw: [UInt8]) -> Proto {
        var t = Proto()
        for d in dims { t.int(1, d) }
        t.int(2, type)
        t.string(8, name)
        t.data(9, raw)
        return t
    }

    static func floats(_ values: [Float]) -> [UInt8] {
        values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian) { Array($0) } }
    }

    static func valueInfo(_ name: String) -> Proto {
        var v = Proto()
        v.string(1, name)
        var tensorType = Proto()
        tensorType.int(1, 1) // elem_type FLOAT
        var type = Proto()
        type.message(1, tensorType)
        v.message(2, type)
        return v
    }

    enum Attribute {
        case int(Int64), ints([Int64]), float(Float), string(String), tensor(Proto)
    }

    static func node(_ op: String, _ inputs: [String], _ outputs: [String], name: String = "",
                     attributes: [(String, Attribute)] = []) -> Proto {
        var n = Proto()
        for i in inputs { n.string(1, i) }
        for o in outputs { n.string(2, o) }
        n.string(3, name.isEmpty ? op.lowercased() : name)
        n.string(4, op)
        for (key, value) in attributes {
            var a = Proto()
            a.string(1, key)
            switch value {
            case .int(let v): a.int(3, v); a.int(20, 2)
            case .ints(let v): for x in v { a.int(8, x) }; a.int(20, 7)
            case .float(let v): a.float(2, v); a.int(20, 1)
            case .string(let v): a.string(4, v); a.int(20, 3)
            case .tensor(let t): a.message(5, t); a.int(20, 4)
            }
            n.message(5, a)
        }
        return n
    }

    /// A whole model (opset 13 unless given).
    static func model(nodes: [Proto], inputs: [String], outputs: [String], initializers: [Proto] = [],
                      opset: Int64 = 13) -> [UInt8] {
        var g = Proto()
        for n in nodes { g.message(1, n) }
        g.string(2, "g")
        for t in initializers { g.message(5, t) }
        for i in inputs { g.message(11, valueInfo(i)) }
        for o in outputs { g.message(12, valueInfo(o)) }
        var m = Proto()
        m.int(1, 8)
        m.string(2, "hostile")
        m.message(7, g)
        var op = Proto()
        op.string(1, "")
        op.int(2, opset)
        m.message(8, op)
        return m.bytes
    }
}

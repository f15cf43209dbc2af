import Foundation
import ReIDTestSupport
import XCTest
@testable import Torch

/// Deterministic fuzzing of the safetensors reader: byte-level mutations of valid files and
/// generated headers full of hostile numbers. Every case must load or throw an error with a
/// message; a trap ends the test process (and `make test` reports the missing report file).
final class SafetensorsFuzzTests: XCTestCase {
    static let seed: UInt64 = 0x5AFE_7E45_0000_0015

    func testFuzzSafetensorsReader() throws {
        let folder = NSTemporaryDirectory() + "reid-st-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/case.safetensors"

        // Valid files to mutate, written by the project's own writer. Their data bytes can be
        // copied into the header by a mutation, so they must be the same on every run too.
        Runtime.seed(15)
        var bases: [[UInt8]] = []
        for (k, tensors) in try [
            ["w": Tensor.randn([3, 4]), "b": Tensor([1, 2, 3] as [Int64])],
            ["x": Tensor([true, false]), "y": Tensor([1.5, 2.5] as [Double]), "z": Tensor.zeros([0, 3])],
            ["only": Tensor.randn([2, 2, 2])],
        ].enumerated() {
            let file = folder + "/base\(k).safetensors"
            try Safetensors.save(tensors, to: file, metadata: k == 0 ? ["format": "pt"] : [:])
            bases.append(Array(try Data(contentsOf: URL(fileURLWithPath: file))))
        }

        var random = FuzzRandom(seed: Self.seed)
        var run = FuzzRun(fuzzer: "safetensors", seed: Self.seed)
        let total = 600 * FuzzReport.scale
        for i in 0..<total {
            let bytes: [UInt8]
            switch i % 3 {
            case 0: bytes = random.mutate(random.pick(bases))
            case 1: bytes = Self.withHeaderLengthChanged(random.pick(bases), &random)
            default: bytes = Self.generatedFile(&random)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            run.run("case \(i) (seed \(Self.seed))") {
                let (tensors, _) = try Safetensors.load(path, only: nil)
                for t in tensors.values where t.count > 0 { _ = try t.to(.float64).sum() }
            }
        }
        XCTAssertEqual(run.emptyMessages, [], "errors without a message")
        XCTAssertGreaterThan(run.accepted, total / 20, "the fuzzer should also produce valid files")
        XCTAssertGreaterThan(run.errors, total / 2)
        try run.finish()
        print("safetensors fuzz: \(run.cases) cases, \(run.errors) errors, \(run.accepted) accepted, "
              + String(format: "%.2f s", run.seconds))
    }

    /// A valid file whose 8-byte header length is replaced by a boundary value.
    static func withHeaderLengthChanged(_ file: [UInt8], _ random: inout FuzzRandom) -> [UInt8] {
        var out = file
        let real = file.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        let value: UInt64 = random.pick([0, 1, 7, real &- 1, real &+ 1, real &+ 8, UInt64(file.count), UInt64(file.count - 7),
                                         UInt64(Int64.max), UInt64.max, 1 << 31, 1 << 32, 100_000_001, random.next()])
        withUnsafeBytes(of: value.littleEndian) { out.replaceSubrange(0..<8, with: $0) }
        return out
    }

    /// Numbers as written in a header: ordinary, boundary, overflowing, negative, non-integer
    /// and not numbers at all.
    static let hostileNumbers = [
        "0", "1", "2", "3", "4", "8", "16", "-1", "-8", "-0", "2147483648", "4294967296", "4611686018427387904",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
        "99999999999999999999999999", "2.5", "1.0", "1e3", "1E400", "-1e-400", "0.0", "true", "null", "\"4\"", "[]", "{}",
    ]

    /// A generated header with 0–3 entries (consistent or hostile), optional metadata and a data
    /// section, or an oddly shaped JSON document.
    static func generatedFile(_ random: inout FuzzRandom) -> [UInt8] {
        var entries: [String] = []
        var cursor = 0
        // An array, not a dictionary: dictionary order changes between runs, the cases must not.
        let codes = [("F32", 4), ("F64", 8), ("F16", 2), ("BF16", 2), ("I64", 8), ("I32", 4), ("I16", 2), ("I8", 1),
                     ("U8", 1), ("BOOL", 1)]
        for e in 0..<random.int(0...3) {
            let name = random.chance(0.1) ? random.pick(["", "__metadata__", "a\\u0000b", "\\ud800", "é"]) : "t\(e)"
            if random.chance(0.08) {
                entries.append("\"\(name)\":" + random.pick(["[1,2]", "\"F32\"", "null", "3", "{}", "true"]))
                continue
            }
            let (code, size) = random.chance(0.9) ? random.pick(codes) : (random.pick(["F8_E5M2", "", "f32", "U64", "7"]), 1)
            let consistent = random.chance(0.5)
            var dims: [String] = []
            var count = 1
            for _ in 0..<random.int(0...4) {
                if consistent {
                    let d = random.int(0...3)
                    count *= d
                    dims.append("\(d)")
                } else {
                    dims.append(random.pick(hostileNumbers))
                }
            }
            var begin = "\(cursor)", end = "\(cursor + count * size)"
            if consistent { cursor += count * size }
            if !consistent || random.chance(0.15) {
                if random.chance(0.5) { begin = random.pick(hostileNumbers) }
                if random.chance(0.5) { end = random.pick(hostileNumbers) }
            }
            var offsets = "[\(begin),\(end)]"
            if random.chance(0.05) { offsets = random.pick(["[0]", "[0,1,2]", "[]", "0", "\"0,4\"", "[[0],[4]]"]) }
            var fields = ["\"dtype\":\"\(code)\"", "\"shape\":[\(dims.joined(separator: ","))]", "\"data_offsets\":\(offsets)"]
            if random.chance(0.05) { fields.remove(at: random.int(0..<fields.count)) }
            if random.chance(0.05) { fields.append("\"extra\":[1,{\"a\":null}]") }
            entries.append("\"\(name)\":{\(fields.joined(separator: ","))}")
        }
        if random.chance(0.3) {
            entries.append("\"__metadata__\":" + random.pick([
                "{\"format\":\"pt\"}", "{\"epoch\":3}", "{\"a\":{\"b\":\"c\"}}", "[\"x\"]", "\"text\"", "{}", "null",
            ]))
        }
        var header = "{" + entries.joined(separator: ",") + "}"
        switch random.int(0..<20) {
        case 0: header = String(repeating: "[", count: random.int(1...5000)) // unbalanced deep nesting
        case 1:
            let depth = random.int(1...3000)
            header = "{\"t\":" + String(repeating: "{\"a\":", count: depth) + "1" + String(repeating: "}", count: depth) + "}"
        case 2: header = random.pick(["[]", "null", "\"x\"", "3", "", "{", "{\"t\":}", "{\"t\" 1}", "{}garbage"])
        case 3: header += String(repeating: " ", count: random.int(1...16)) // padding, as the format allows
        default: break
        }
        let json = Array(header.utf8)
        var out = withUnsafeBytes(of: UInt64(json.count).littleEndian) { Array($0) }
        out += json
        let dataCount = random.chance(0.8) ? cursor : random.int(0...64)
        out += random.bytes(dataCount)
        return out
    }
}

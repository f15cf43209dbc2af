import Foundation
import XCTest
@testable import Torch

/// Safetensors files whose header lies: each must give an error naming the file and the entry,
/// never a trap (overflow) or an out-of-bounds read.
final class SafetensorsHostileTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-st-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// A file of `header` (JSON text) and `data` bytes; `length` overrides the header length field.
    func write(_ header: String, data: [UInt8] = Array(repeating: 0, count: 16), length: UInt64? = nil,
               name: String = "hostile.safetensors") throws -> String {
        let json = Array(header.utf8)
        var bytes = withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian) { Array($0) }
        bytes += json + data
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Loading fails with a `TorchError.file` naming the file whose reason contains every fragment.
    func assertRejected(_ header: String, data: [UInt8] = Array(repeating: 0, count: 16), length: UInt64? = nil,
                        _ fragments: String..., file: StaticString = #filePath, line: UInt = #line) throws {
        let path = try write(header, data: data, length: length)
        XCTAssertThrowsError(try Safetensors.load(path, only: nil), header, file: file, line: line) { error in
            guard case TorchError.file(let p, let reason) = error else {
                return XCTFail("not a file error: \(error)", file: file, line: line)
            }
            XCTAssertEqual(p, path, file: file, line: line)
            for fragment in fragments {
                XCTAssertTrue(reason.contains(fragment), "'\(reason)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    func testValidHandWrittenHeaderLoads() throws {
        let path = try write(#"{"t":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},"__metadata__":{"a":"b"}}"#)
        let (tensors, metadata) = try Safetensors.load(path, only: nil)
        XCTAssertEqual(tensors["t"]?.shape, [2, 2])
        XCTAssertEqual(metadata, ["a": "b"])
    }

    func testOverflowingShapeIsAnError() throws {
        // 2^31 × 2^31 × 4 bytes overflows Int64: it trapped in `reduce(1, *) * byteSize`.
        try assertRejected(#"{"t":{"dtype":"F32","shape":[2147483648,2147483648],"data_offsets":[0,16]}}"#,
                           "entry 't'", "shape")
        try assertRejected(#"{"t":{"dtype":"F32","shape":[4294967296,4294967296,4],"data_offsets":[0,16]}}"#,
                           "entry 't'", "too large")
        try assertRejected(#"{"t":{"dtype":"F32","shape":[0,4294967296,4294967296,4294967296],"data_offsets":[0,0]}}"#,
                           "entry 't'", "too large")
    }

    func testOffsetsNearTwoToTheSixtyThreeAreAnError() throws {
        // base + offset overflowed and trapped.
        try assertRejected(#"{"t":{"dtype":"U8","shape":[4],"data_offsets":[9223372036854775800,9223372036854775804]}}"#,
                           "entry 't'", "past the 16-byte data section")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[4],"data_offsets":[0,9223372036854775808]}}"#,
                           "entry 't'", "too large")
    }

    func testNegativeOffsetsAndDimsAreAnError() throws {
        // A negative begin read before the data section (inside the header) or before the file.
        try assertRejected(#"{"t":{"dtype":"U8","shape":[4],"data_offsets":[-4,0]}}"#, "entry 't'", "negative")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[-2,-2],"data_offsets":[0,4]}}"#, "entry 't'", "negative")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[4],"data_offsets":[8,4]}}"#, "begin 8 after end 4")
    }

    func testNonIntegerNumbersAreAnError() throws {
        // NSNumber.intValue truncated 2.5 to 2 and accepted the file.
        try assertRejected(#"{"t":{"dtype":"U8","shape":[2.5],"data_offsets":[0,2]}}"#, "2.5", "not an integer")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[2],"data_offsets":[0,2e0]}}"#, "not an integer")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[true],"data_offsets":[0,1]}}"#, "not a number")
        try assertRejected(#"{"t":{"dtype":"U8","shape":["2"],"data_offsets":[0,2]}}"#, "not a number")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[1e400],"data_offsets":[0,2]}}"#, "not an integer")
    }

    func testSizeMismatchUnknownDtypeAndMissingFields() throws {
        try assertRejected(#"{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, "4 bytes", "needs 8")
        try assertRejected(#"{"t":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}"#, "unsupported dtype 'F8_E4M3'")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[2]}}"#, "data_offsets")
        try assertRejected(#"{"t":[1,2,3]}"#, "entry 't' is not a JSON object")
        try assertRejected(#"[1,2]"#, "not a JSON object")
    }

    func testMetadataMustBeStrings() throws {
        // A non-string metadata value was silently dropped (the whole map became empty).
        try assertRejected(#"{"__metadata__":{"epoch":3}}"#, "__metadata__ key 'epoch'")
        try assertRejected(#"{"__metadata__":[1]}"#, "__metadata__ must be an object")
    }

    func testHeaderLengthAndNestingLimits() throws {
        try assertRejected("{}", length: UInt64.max, "header length")
        try assertRejected("{}", length: 1 << 40, "header length")
        let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
        try assertRejected(#"{"t":"# + deep + "}", "nested more than")
        try assertRejected(#"{"t":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"t":{}}"#, "appears twice")
    }
}

import Foundation
import XCTest
@testable import Torch

/// A checkpoint reader test: a fresh temporary folder for the files it writes (removed
/// afterwards), and checks of tensors and errors.
class PthTestCase: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-pth-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Writes `bytes` as `name` in the folder; its path.
    func write(_ bytes: [UInt8], _ name: String) throws -> String {
        let path = folder + "/" + name
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// A tensor's values as float64 (exact for every dtype the reader builds but int64 beyond 2^53).
    func values(_ t: Tensor?) throws -> [Double] { try XCTUnwrap(t).to(.float64).toArray(Double.self) }

    /// `body` throws an error whose description contains every needle.
    func assertThrows(_ body: @autoclosure () throws -> Any, mentioning needles: [String],
                      file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            for needle in needles {
                XCTAssertTrue("\(error)".contains(needle), "'\(needle)' missing from: \(error)", file: file, line: line)
            }
        }
    }

    /// Checks tensors against the fixture scripts' `describe(t)` of them: the same names, shapes,
    /// dtypes and values (float.hex() strings: exact, unlike decimal JSON numbers), and where
    /// given, contiguity and integers as decimal strings (exact beyond 2^53).
    func assertMatchesPython(_ tensors: [String: Tensor], _ expected: Any?, _ label: String,
                             file: StaticString = #filePath, line: UInt = #line) throws {
        let expected = try XCTUnwrap(expected as? [String: [String: Any]], label, file: file, line: line)
        XCTAssertEqual(Set(tensors.keys), Set(expected.keys), label, file: file, line: line)
        for (name, e) in expected {
            let t = try XCTUnwrap(tensors[name], "\(label)['\(name)']", file: file, line: line)
            let what = "\(label)['\(name)']"
            XCTAssertEqual(t.shape, e["shape"] as? [Int], "\(what) shape", file: file, line: line)
            XCTAssertEqual("torch.\(t.dtype)", e["dtype"] as? String, "\(what) dtype", file: file, line: line)
            let want = (e["values"] as? [String] ?? []).map { Double($0) ?? .nan }
            XCTAssertEqual(try values(t), want, "\(what) values", file: file, line: line)
            if let contiguous = e["contiguous"] as? Bool {
                XCTAssertEqual(t.isContiguous, contiguous, "\(what) contiguity", file: file, line: line)
            }
            if let ints = e["ints"] as? [String] {
                XCTAssertEqual(try t.to(.int64).int64s(), ints.compactMap { Int64($0) }, "\(what) ints", file: file, line: line)
            }
        }
    }
}

/// Debian's python3 with torch, to write fixtures with the real `torch.save`.
enum PythonTorch {
    static let executable = "/usr/bin/python3"

    /// Throws `XCTSkip` when python3 or its torch module is missing.
    static func require() throws {
        let probe = try run(["-c", "import torch"])
        guard probe.status == 0 else { throw XCTSkip("python3-torch not installed: \(probe.output.suffix(200))") }
    }

    /// Writes `script` into `folder`, runs it with the folder as its argument, and returns the
    /// `expected.json` it writes there (what Python saw in the files it wrote).
    static func fixtures(_ script: String, in folder: String) throws -> [String: Any] {
        let path = folder + "/make.py"
        try script.write(toFile: path, atomically: true, encoding: .utf8)
        let made = try run([path, folder])
        guard made.status == 0 else { throw ScriptFailure(description: "\(path) exited \(made.status):\n\(made.output)") }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/expected.json")))
        return try XCTUnwrap(json as? [String: Any])
    }

    struct ScriptFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Runs python3 with `arguments`; standard output and error together.
    static func run(_ arguments: [String]) throws -> (status: Int32, output: String) {
        guard FileManager.default.isExecutableFile(atPath: executable) else { return (127, "\(executable) not found") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

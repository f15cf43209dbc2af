import Foundation
import ReIDTestSupport
import XCTest
@testable import ReID
@testable import Torch

/// Deterministic fuzzing of the config loader: deep nesting, anchors and aliases, oversized
/// files, hostile numbers for every numeric key, wrong types, unknown keys, binary garbage and
/// mutated shipped configs. Each case must load or throw an error with a message.
final class ConfigFuzzTests: XCTestCase {
    static let seed: UInt64 = 0xC0_F1_65_00_0000_0015

    /// Every numeric key of the training config, as dotted paths (found from the defaults).
    static func numericKeys() throws -> [String] {
        // Torch's strict header JSON keeps numbers and booleans apart (NSNumber does not).
        func walk(_ value: HeaderJSON, _ prefix: String) -> [String] {
            switch value {
            case .object(let members):
                return members.flatMap { walk($0.value, prefix.isEmpty ? $0.key : "\(prefix).\($0.key)") }
            case .number: return [prefix]
            default: return []
            }
        }
        let json = try JSONEncoder().encode(TrainingConfig())
        return walk(try HeaderJSON.parse(Array(json)), "").sorted()
    }

    /// The YAML text setting `dotted` to `value`.
    static func yaml(_ dotted: String, _ value: String) -> String {
        let keys = dotted.split(separator: ".")
        var text = ""
        for (depth, key) in keys.enumerated() {
            text += String(repeating: "  ", count: depth) + key + ":" + (depth == keys.count - 1 ? " \(value)\n" : "\n")
        }
        return text
    }

    func testFuzzConfigLoader() throws {
        let folder = NSTemporaryDirectory() + "reid-cfg-fuzz-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/case.yaml"
        let keys = try Self.numericKeys()
        XCTAssertGreaterThan(keys.count, 40, "every numeric key is covered")
        let shipped = try FileManager.default.contentsOfDirectory(atPath: ConfigSafetyTests.configsFolder)
            .filter { $0.hasSuffix(".yaml") && $0 != "views_ablation.yaml" }.sorted()
            .map { Array(try Data(contentsOf: URL(fileURLWithPath: ConfigSafetyTests.configsFolder + "/" + $0))) }
        let hostile = [".nan", ".NaN", ".inf", "-.inf", "0", "-1", "-0.5", "1e308", "-1e308", "99999999999999999999",
                       "2147483648", "9223372036854775807", "0.0000001", "1", "0.5", "\"12\"", "[1, 2]", "{a: 1}", "true",
                       "null", "~", "0x10", "1_000"]

        var random = FuzzRandom(seed: Self.seed)
        var run = FuzzRun(fuzzer: "config", seed: Self.seed)
        let total = 150 * FuzzReport.scale
        for i in 0..<total {
            var overrides: [String] = []
            var bytes: [UInt8]
            switch i % 10 {
            case 0, 1, 2: // a hostile value for a numeric key, in the file or as --set
                let key = random.pick(keys), value = random.pick(hostile)
                if random.chance(0.3) {
                    bytes = []
                    overrides = ["\(key)=\(value)"]
                } else {
                    bytes = Array(Self.yaml(key, value).utf8)
                }
            case 3: // deep nesting: flow brackets, indentation or compact sequences
                let depth = random.int(1...6000)
                switch random.int(0..<3) {
                case 0: bytes = Array(("data: " + String(repeating: random.pick(["[", "{a: "]), count: depth)).utf8)
                case 1: bytes = Array((0..<min(depth, 400)).map { String(repeating: " ", count: $0) + "k:\n" }.joined().utf8)
                default: bytes = Array((String(repeating: "- ", count: depth) + "x\n").utf8)
                }
            case 4: // anchors and aliases, including a doubling bomb
                let levels = random.int(1...40)
                var text = "a0: &a0 [\"lol\", \"lol\"]\n"
                for k in 1..<levels { text += "a\(k): &a\(k) [*a\(k - 1), *a\(k - 1)]\n" }
                if random.chance(0.5) { text = "optimizer:\n  lr: &lr 0.1\nloss:\n  centerLR: *lr\n" }
                bytes = Array(text.utf8)
            case 5: // wrong types and unknown keys
                let key = random.pick(keys)
                bytes = Array(random.pick([
                    Self.yaml(key, random.pick(["[]", "{}", "\"text\"", "[[1]]", "{x: {y: 1}}"])),
                    Self.yaml(key + "x", "1"), Self.yaml("nosuchsection.key", "1"), "- 1\n- 2\n", "just text\n",
                    "optimizer: 3\n", "\(key): 1\n",
                ]).utf8)
            case 6: // binary garbage, sometimes with a valid start
                bytes = random.bytes(random.int(0...512))
                if random.chance(0.3) { bytes = Array("data:\n  height: ".utf8) + bytes }
            case 7: // oversized (rarely: each is over 1 MiB) or long but legal
                bytes = random.chance(0.05)
                    ? Array(repeating: UInt8(ascii: "#"), count: (1 << 20) + random.int(1...4096))
                    : Array(("#" + String(repeating: "x", count: random.int(0...20_000)) + "\nseed: 3\n").utf8)
            default: // a shipped config, mutated
                bytes = random.mutate(random.pick(shipped), maxEdits: 6)
            }
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = bytes.isEmpty && !overrides.isEmpty ? nil : path
            run.run("case \(i) (seed \(Self.seed))") {
                _ = try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: file, overrides: overrides)
            }
        }
        XCTAssertEqual(run.emptyMessages, [], "errors without a message")
        XCTAssertGreaterThan(run.errors, total / 2)
        XCTAssertGreaterThan(run.accepted, 0)
        try run.finish()
        print("config fuzz: \(run.cases) cases, \(run.errors) errors, \(run.accepted) accepted, "
              + String(format: "%.2f s", run.seconds))
    }
}

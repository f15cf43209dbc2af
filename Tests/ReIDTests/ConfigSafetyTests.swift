import Foundation
import ReIDTestSupport
import XCTest
@testable import ReID

/// Hostile or mistaken training configs: every one must be an error naming the key or the file
/// (and what to do), never a trap, a stack overflow or gigabytes of alias expansion.
final class ConfigSafetyTests: XCTestCase {
    var folder: String!

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "reid-cfg-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }
    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    func write(_ text: String, name: String = "config.yaml") throws -> String {
        let path = folder + "/" + name
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func load(file: String? = nil, _ overrides: [String] = []) throws -> TrainingConfig {
        try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: file, overrides: overrides)
    }

    func assertError(_ body: @autoclosure () throws -> Any, contains fragments: String...,
                     file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            let text = "\(error)"
            for fragment in fragments {
                XCTAssertTrue(text.contains(fragment), "'\(text)' lacks '\(fragment)'", file: file, line: line)
            }
        }
    }

    static var configsFolder: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("configs").path
    }

    func testShippedConfigsAndPlansStillLoad() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.configsFolder).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThan(names.count, 3)
        for name in names where name != "views_ablation.yaml" {
            XCTAssertNoThrow(try load(file: Self.configsFolder + "/" + name), name)
        }
        XCTAssertNoThrow(try AblationPlan.load(Self.configsFolder + "/views_ablation.yaml"))
    }

    func testZeroAndNegativeSizesNameTheKey() throws {
        // identitiesPerBatch = 0 trapped in the P×K sampler.
        assertError(try load(file: write("data:\n  identitiesPerBatch: 0\n")),
                    contains: "config key 'data.identitiesPerBatch' must be an integer ≥ 1", "not 0")
        assertError(try load(["data.instancesPerIdentity=-3"]), contains: "'data.instancesPerIdentity'", "not -3")
        assertError(try load(["data.height=0"]), contains: "'data.height'")
        assertError(try load(["training.epochs=0"]), contains: "'training.epochs'")
        assertError(try load(["clustering.minSamples=0"]), contains: "'clustering.minSamples'")
    }

    func testNonFiniteNumbersNameTheKey() throws {
        // `.nan` failed in JSONSerialization with a message that named no key.
        assertError(try load(file: write("optimizer:\n  lr: .nan\n")),
                    contains: "config key 'optimizer.lr' must be a finite number", "nan")
        assertError(try load(["loss.tripletMargin=.inf"]), contains: "'loss.tripletMargin'", "finite")
        assertError(try load(["optimizer.lr=0"]), contains: "'optimizer.lr' must be a finite number > 0", "not 0")
        assertError(try load(["data.flip=1.5"]), contains: "'data.flip'", "≤ 1")
    }

    func testDeepNestingIsRefusedBeforeYAMLParsing() throws {
        // 5,000 nested brackets overflowed the stack in Yams' recursive composer.
        let brackets = "data: " + String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000) + "\n"
        assertError(try load(file: write(brackets)), contains: "config.yaml", "nests deeper than 64")
        var indented = ""
        for depth in 0..<200 { indented += String(repeating: " ", count: depth) + "k\(depth):\n" }
        assertError(try load(file: write(indented)), contains: "nests deeper than 64")
        assertError(try load(file: write(String(repeating: "- ", count: 300) + "x\n")), contains: "nests deeper")
    }

    func testAnchorsAndAliasesAreRefused() throws {
        // The billion-laughs shape: each level doubles through aliases (2^30 values at level 30).
        var bomb = "a0: &a0 [1, 1]\n"
        for k in 1...30 { bomb += "a\(k): &a\(k) [*a\(k - 1), *a\(k - 1)]\n" }
        assertError(try load(file: write(bomb)), contains: "config.yaml", "anchor (&)", "write the values out")
        assertError(try load(file: write("optimizer:\n  lr: 0.1\nloss:\n  centerLR: *x\n")), contains: "line 4", "alias (*)")
        assertError(try load(["views.angles=[&a 1, *a]"]), contains: "--set views.angles", "anchor")
        // Quoted, commented and mid-word & and * are ordinary text.
        XCTAssertEqual(try load(file: write("data:\n  root: '&not an anchor' # *nor an alias\n  format: a*b&c\n")).data.root,
                       "&not an anchor")
    }

    func testOversizedConfigIsRefusedBeforeReading() throws {
        let big = "# padding\n" + String(repeating: "#" + String(repeating: "x", count: 1000) + "\n", count: 1100)
        assertError(try load(file: write(big)), contains: "config.yaml", "at most 1048576 bytes")
    }

    func testAblationPlanIsGuardedToo() throws {
        let base = try write("method: pplr\n", name: "base.yaml")
        let plan = try write("base: \(base)\nvariants:\n  - &v {name: a}\n  - *v\n", name: "plan.yaml")
        assertError(try AblationPlan.load(plan), contains: "plan.yaml", "anchor")
        let deep = try write("base: \(base)\nvariants: " + String(repeating: "[", count: 4000) + "\n", name: "deep.yaml")
        assertError(try AblationPlan.load(deep), contains: "deep.yaml", "nests deeper")
        let zero = try write("base: \(base)\nvariants:\n  - name: a\n    set: [data.identitiesPerBatch=0]\n", name: "zero.yaml")
        let loaded = try AblationPlan.load(zero)
        assertError(try loaded.config(for: loaded.variants[0]), contains: "'data.identitiesPerBatch'")
    }

    func testTrainCommandGivesAClearErrorAndNonZeroExit() throws {
        let config = try write("data:\n  identitiesPerBatch: 0\n")
        let r = try ReidBinary.run(["train", "--data", folder, "--out", folder + "/run", "--config", config])
        XCTAssertNotEqual(r.status, 0)
        XCTAssertTrue(r.err.contains("'data.identitiesPerBatch'"), r.err)
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/run/log.jsonl"))
        let nan = try ReidBinary.run(["train", "--data", folder, "--out", folder + "/run", "--set", "optimizer.lr=.nan"])
        XCTAssertNotEqual(nan.status, 0)
        XCTAssertTrue(nan.err.contains("'optimizer.lr'") && nan.err.contains("finite"), nan.err)
    }
}

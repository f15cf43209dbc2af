import Foundation
import Torch
import Yams

/// An ablation: several training variants of one base config, run one after the other with the
/// same data, seed, budget and initial weights (anything set at the top level applies to all),
/// then one table (markdown + JSON) and one page linking every run's report.
public struct AblationPlan: Codable, Sendable {
    /// The training config every variant starts from (path; relative to the working folder, else
    /// to the plan file).
    public var base: String
    /// Training data (data.root) and output folder; the command line may override both.
    public var data: String = ""
    public var out: String = ""
    /// `key=value` overrides applied to every variant (backbone, size, epochs, seed, init, views.dir, …).
    public var set: [String] = []
    public var variants: [Variant]
    /// Variant name the others are compared with (default: the first).
    public var reference: String = ""

    public struct Variant: Codable, Sendable {
        public var name: String
        public var set: [String] = []
        public init(name: String, set: [String] = []) {
            self.name = name
            self.set = set
        }
        enum CodingKeys: String, CodingKey { case name, set }
        public init(from decoder: Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decode(String.self, forKey: .name)
            set = try c.decodeIfPresent([String].self, forKey: .set) ?? []
        }
    }

    enum CodingKeys: String, CodingKey { case base, data, out, set, variants, reference }

    public init(base: String, data: String, out: String, set: [String] = [], variants: [Variant]) {
        self.base = base
        self.data = data
        self.out = out
        self.set = set
        self.variants = variants
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        base = try c.decode(String.self, forKey: .base)
        data = try c.decodeIfPresent(String.self, forKey: .data) ?? ""
        out = try c.decodeIfPresent(String.self, forKey: .out) ?? ""
        set = try c.decodeIfPresent([String].self, forKey: .set) ?? []
        variants = try c.decode([Variant].self, forKey: .variants)
        reference = try c.decodeIfPresent(String.self, forKey: .reference) ?? ""
    }

    public static func load(_ path: String) throws -> AblationPlan {
        let text = try ConfigLoader.readGuarded(path, what: "ablation plan")
        var plan: AblationPlan
        do { plan = try YAMLDecoder().decode(AblationPlan.self, from: text) } catch {
            throw ReIDError.data(path: path, reason: "is not an ablation plan (base:, variants: [{name:, set: [key=value]}]): \(error)")
        }
        if !FileManager.default.fileExists(atPath: plan.base) {
            let beside = (path as NSString).deletingLastPathComponent + "/" + plan.base
            if FileManager.default.fileExists(atPath: beside) { plan.base = beside }
        }
        guard !plan.variants.isEmpty else { throw ReIDError.data(path: path, reason: "lists no variants") }
        let names = plan.variants.map(\.name)
        guard Set(names).count == names.count else { throw ReIDError.data(path: path, reason: "has two variants with the same name") }
        return plan
    }

    /// Folder name of a variant inside `out`.
    public static func slug(_ name: String) -> String {
        let s = name.lowercased().map { $0.isLetter || $0.isNumber ? $0 : "-" }
        return String(s).split(separator: "-").joined(separator: "-")
    }

    /// The effective training config of `variant`.
    public func config(for variant: Variant) throws -> TrainingConfig {
        var overrides = set + variant.set
        if !data.isEmpty { overrides.insert("data.root=\(data)", at: 0) }
        return try ConfigLoader.load(TrainingConfig.self, defaults: TrainingConfig(), yamlFile: base, overrides: overrides)
    }
}

/// One finished run of a variant (one seed when the ablation has seeds): its metrics at the last
/// epoch (no checkpoint picked on the test set), wall time and what views it used.
public struct AblationRow: Codable, Sendable {
    public var name: String
    public var run: String
    public var rank1: Double
    public var rank5: Double
    public var rank10: Double
    public var mAP: Double
    public var seconds: Double
    public var epochs: Int
    /// views.json of the run (strategy, mask source, …) as text, or "" for no views.
    public var views: String
    /// The run's `seed` when the ablation was run with `--seeds`; nil for a plain ablation.
    public var seed: UInt64?
}

/// Runs an `AblationPlan` in-process, one variant after another (each once per seed when `seeds`
/// is not empty); a finished run (its `result.json` exists) is not run again, an interrupted one
/// resumes from its checkpoint.
public struct AblationRunner {
    public let plan: AblationPlan
    public let out: String
    public var verbose = true
    public var only: Set<String> = []
    /// Empty: one run per variant with the plan's seed, in `OUT/<variant>/`. Otherwise one run per
    /// variant and seed, in `OUT/<variant>/seed-<n>/`, with `seed=<n>` set last.
    public var seeds: [UInt64] = []

    public init(plan: AblationPlan, out: String) {
        self.plan = plan
        self.out = out
    }

    /// Run folder of `variant` with `seed` (nil: the plain layout).
    public func folder(_ variant: AblationPlan.Variant, seed: UInt64?) -> String {
        let base = out + "/" + AblationPlan.slug(variant.name)
        return seed.map { base + "/seed-\($0)" } ?? base
    }

    public func run() throws -> [AblationRow] {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        var rows: [AblationRow] = []
        let runs: [UInt64?] = seeds.isEmpty ? [nil] : seeds.map { $0 }
        for variant in plan.variants {
            for seed in runs {
                if let row = try runOne(variant, seed: seed, allowed: only.isEmpty || only.contains(variant.name)) {
                    rows.append(row)
                    try table(rows).write(to: out)
                }
            }
        }
        try table(rows).write(to: out)
        return rows
    }

    func table(_ rows: [AblationRow]) -> AblationTable { AblationTable(plan: plan, rows: rows) }

    /// The finished row of one run, training it first when `allowed`; nil when not finished and not allowed.
    func runOne(_ variant: AblationPlan.Variant, seed: UInt64?, allowed: Bool) throws -> AblationRow? {
        let folder = folder(variant, seed: seed)
        let resultPath = folder + "/result.json"
        if let data = FileManager.default.contents(atPath: resultPath),
           let row = try? JSONDecoder().decode(AblationRow.self, from: data) {
            return row
        }
        guard allowed else { return nil }
        var config = try plan.config(for: variant)
        if let seed { config.seed = seed }
        let resume = RunDirectory(folder).hasCheckpoint
        // On resume the run's own config.yaml is the truth; the plan's must still match it.
        let trainer = Trainer(config: config, runDirectory: folder, resume: resume)
        trainer.verbose = verbose
        if verbose {
            let which = seed.map { " seed \($0)" } ?? ""
            FileHandle.standardError.write(Data("== \(variant.name)\(which) -> \(folder)\(resume ? " (resuming)" : "")\n".utf8))
        }
        let previous = (try? Data(contentsOf: URL(fileURLWithPath: folder + "/seconds"))).flatMap { Double(String(decoding: $0, as: UTF8.self)) } ?? 0
        let started = Date()
        let summary: Trainer.Summary
        do {
            summary = try trainer.train()
        } catch {
            try? AtomicText.write(String(previous + Date().timeIntervalSince(started)), to: folder + "/seconds")
            throw error
        }
        let seconds = previous + Date().timeIntervalSince(started)
        let last = TrainingLog(path: RunDirectory(folder).log).entries().last { $0["metrics"] != nil }
        guard let metrics = last?["metrics"] as? [String: Double] else {
            throw ReIDError.model("\(variant.name): the run logged no evaluation; set training.evalEvery ≥ 0")
        }
        let views = (try? String(contentsOfFile: folder + "/views.json", encoding: .utf8)) ?? ""
        let row = AblationRow(name: variant.name, run: folder, rank1: metrics["rank1"] ?? .nan, rank5: metrics["rank5"] ?? .nan,
                              rank10: metrics["rank10"] ?? .nan, mAP: metrics["mAP"] ?? .nan, seconds: seconds,
                              epochs: summary.lastEpoch, views: views, seed: seed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicWrite.write(try encoder.encode(row), to: resultPath)
        return row
    }
}

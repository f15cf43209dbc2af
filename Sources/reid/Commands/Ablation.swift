import ArgumentParser
import Foundation
import ReID
import Torch

struct Ablation: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train several variants of one config with the same budget and compare them in one table.",
        discussion: """
            The plan (YAML) names a base training config, overrides shared by every
            variant (backbone, size, epochs, seed, initial weights: same budget, same
            start) and the variants' own overrides:

              base: configs/pplr.yaml
              data: out/synth
              out: runs/views-ablation
              set: [model.backbone=mobilenetv2, training.epochs=8, views.dir=out/synth]
              variants:
                - name: baseline
                - name: inject
                  set: [views.method=inject]

            Variants run one after another in this process. Each gets a run folder
            (OUT/<name>/ with report.html); OUT/ablation.md, ablation.json and
            index.html hold the table (R1/R5/R10/mAP at the last epoch, differences
            against the first variant, wall time). Running the command again skips
            finished variants and resumes an interrupted one.

            One run is not a result: --seeds 0,1,2 runs every variant once per seed
            (OUT/<name>/seed-<n>/, with seed=<n>) and the table gives each variant's
            mean ± sample std, its lowest run, the difference of means against the
            reference and a verdict: a difference no larger than the spread is
            "no effect".

            Example:
              reid ablation --config configs/views_ablation.yaml --data out/synth --out runs/ablation
              reid ablation --config configs/views_ablation.yaml --data out/synth --out runs/ablation-3 --seeds 0,1,2
            """
    )

    @Option(help: "Ablation plan (YAML).")
    var config: String

    @Option(help: "Training data (overrides the plan's data:).")
    var data: String?

    @Option(help: "Output folder (overrides the plan's out:).")
    var out: String?

    @Option(name: .customLong("set"), help: "Override one config key for every variant: key.path=value (repeatable).")
    var overrides: [String] = []

    @Option(help: "Run only this variant (repeatable); others already finished still appear in the table.")
    var only: [String] = []

    @Option(help: ArgumentHelp("Run every variant once per seed and report mean ± std (comma-separated, e.g. 0,1,2).", valueName: "list"))
    var seeds: String?

    @Flag(help: "Print the table as JSON instead of markdown.")
    var json = false

    func run() throws {
        Runtime.configure()
        let seedList = try seeds.map(Self.parseSeeds) ?? []
        var plan = try AblationPlan.load(config)
        if let data { plan.data = data }
        plan.set += overrides
        let folder = out ?? plan.out
        guard !folder.isEmpty else { throw ValidationError("give --out DIR (or out: in the plan)") }
        guard !plan.data.isEmpty else { throw ValidationError("give --data DIR (or data: in the plan)") }
        let unknown = only.filter { name in !plan.variants.contains { $0.name == name } }
        guard unknown.isEmpty else {
            throw ValidationError("--only \(unknown.joined(separator: ", ")): no such variant; the plan has \(plan.variants.map(\.name).joined(separator: ", "))")
        }
        // Fail on a bad override before hours of training.
        for variant in plan.variants { _ = try plan.config(for: variant) }
        var runner = AblationRunner(plan: plan, out: folder)
        runner.only = Set(only)
        runner.seeds = seedList
        let rows = try runner.run()
        let table = AblationTable(plan: plan, rows: rows)
        if json { try printJSON(table.json) } else { print(table.markdown + "\nreport: \(folder)/index.html") }
    }

    /// `0,1,2` → [0, 1, 2]: non-negative integers, no repeats.
    static func parseSeeds(_ text: String) throws -> [UInt64] {
        let items = text.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        var seeds: [UInt64] = []
        for item in items {
            guard let seed = UInt64(item) else {
                throw ValidationError("--seeds '\(text)': '\(item)' is not a non-negative integer; write e.g. --seeds 0,1,2")
            }
            guard !seeds.contains(seed) else { throw ValidationError("--seeds '\(text)': seed \(seed) is given twice") }
            seeds.append(seed)
        }
        return seeds
    }
}

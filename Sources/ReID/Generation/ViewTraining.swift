import Foundation
import Torch

/// Everything PPLR needs to train with a view set, built from the config's `views` section:
/// the pool of images, the strategy (simple, inject, sequential) and, for mesh-combine, the
/// feature combination and where the masked originals come from.
public final class ViewTraining {
    public let section: TrainingConfig.ViewsSection
    public let viewSet: ViewSet
    public let strategy: any ViewStrategy
    public private(set) var pool: ViewPool
    public let combination: FeatureCombination?
    public let maskSource: MaskedImages.Source?

    public static let methods = ["simple", "inject", "sequential", "mesh-combine"]

    /// nil when `views.method` is empty.
    public static func make(_ context: TrainingContext) throws -> ViewTraining? {
        let section = context.config.views
        guard !section.method.isEmpty else { return nil }
        return try ViewTraining(section: section, dataRoot: context.config.data.root, epochs: context.config.training.epochs,
                                originals: context.trainRecords)
    }

    public init(section: TrainingConfig.ViewsSection, dataRoot: String, epochs: Int, originals: [ImageRecord]) throws {
        guard ViewTraining.methods.contains(section.method) else {
            throw ReIDError.invalidOption("views.method '\(section.method)': use one of \(ViewTraining.methods.joined(separator: ", "))")
        }
        self.section = section
        let dir = section.dir.isEmpty ? dataRoot : section.dir
        let set = try ViewSet.load(dir)
        viewSet = set
        try set.validate()
        let missing = section.angles.filter { !set.angles.contains($0) }
        guard missing.isEmpty else {
            throw ReIDError.data(path: dir + "/nv", reason: "has no views at angle(s) \(missing.map(String.init).joined(separator: ", ")) (it has \(set.angles.map(String.init).joined(separator: ", ")))")
        }
        let angles = section.angles.isEmpty ? set.angles : section.angles
        var schedule: ViewSchedule?
        if !section.schedule.isEmpty {
            let s = try ViewSchedule(parsing: section.schedule)
            let absent = s.phases.map(\.angle).filter { !set.angles.contains($0) }
            guard absent.isEmpty else {
                throw ReIDError.data(path: dir + "/nv", reason: "has no views at scheduled angle(s) \(absent.map(String.init).joined(separator: ", "))")
            }
            schedule = s
        }
        pool = ViewPool(originals: originals, viewSet: set, angles: angles)
        guard pool.records.count > originals.count || section.method == "mesh-combine" else {
            throw ReIDError.data(path: dir, reason: "has no views of the training images (names under nv/<deg>/ must match the training file names; run reid views inspect \(dir) --data \(dataRoot))")
        }
        switch section.method {
        case "simple": strategy = SimpleViews(perImage: section.perImage, angles: angles)
        case "inject": strategy = InjectViews(perImage: section.perImage, angles: angles)
        case "sequential":
            guard let schedule else {
                throw ReIDError.invalidOption("views.method sequential needs a schedule, e.g. --schedule 135:0-25,90:25-50,270:50-75,180:75-100")
            }
            strategy = SequentialViews(schedule: schedule, epochs: epochs, cumulative: section.cumulative)
        default:
            strategy = schedule.map { SequentialViews(schedule: $0, epochs: epochs, cumulative: section.cumulative) } ?? OriginalsOnly()
        }
        if section.method == "mesh-combine" {
            guard ["fixed", "learned"].contains(section.combine) else {
                throw ReIDError.invalidOption("views.combine '\(section.combine)': use fixed or learned")
            }
            combination = try FeatureCombination(originalWeight: section.originalWeight, maskWeight: section.maskWeight,
                                                 learned: section.combine == "learned")
            let haveAll = originals.allSatisfy { set.mask(of: $0.name) != nil }
            switch section.masks {
            case "viewset":
                guard haveAll else {
                    throw ReIDError.data(path: dir + "/mask", reason: "lacks masks for some training images; use views.masks=activation or auto")
                }
                maskSource = .viewSet
            case "activation": maskSource = .activation
            case "auto": maskSource = haveAll ? .viewSet : .activation
            default: throw ReIDError.invalidOption("views.masks '\(section.masks)': use auto, viewset or activation")
            }
        } else {
            combination = nil
            maskSource = nil
        }
    }

    /// Before each epoch: masked originals are written (once from the view set; every epoch
    /// from the current model's activation map).
    public func prepare(epoch: Int, model: ReIDModel, context: TrainingContext) throws {
        guard let maskSource else { return }
        let folder = context.runDirectory.path + "/masked"
        let originals = Array(pool.records[0..<pool.originals])
        let paths: [String]
        switch maskSource {
        case .viewSet:
            guard pool.maskedIndex.allSatisfy({ $0 == nil }) else { return }
            paths = try MaskedImages.fromViewSet(viewSet, originals: originals, folder: folder)
        case .activation:
            paths = try MaskedImages.fromActivation(model: model, originals: originals, height: context.config.data.height,
                                                    width: context.config.data.width, threshold: section.maskThreshold,
                                                    device: context.device, folder: folder)
        }
        for (i, p) in paths.enumerated() { pool.setMasked(i, path: p) }
    }

    /// The image paired with pool entry `i` when features are combined: an original's masked
    /// copy; a view has no mask, so it pairs with itself.
    public func partner(of i: Int) -> Int {
        pool.kinds[i] == .original ? (pool.maskedIndex[i] ?? i) : i
    }

    public var summary: String {
        var s = "views: \(strategy.name) from \(viewSet.root) (\(pool.records.count - pool.originals) views of \(pool.originals) originals)"
        if let combination, let maskSource {
            s += ", combined features (\(combination.learned ? "learned" : "fixed") weights \(section.originalWeight):\(section.maskWeight), masks from the \(maskSource.rawValue))"
        }
        return s
    }
}

import Foundation
import Torch

/// Keeps the learning-rate schedule in step with `training.epochs`.
///
/// A recipe's schedule is written for its own number of epochs (supervised.yaml: 120 epochs, 10
/// of warm-up, decay at 40 and 70). Shortening the run with `--set training.epochs=30` used to
/// keep all of it, so the rate was still warming up when the run ended and never decayed. Now a
/// schedule the user did not set follows the epochs: warm-up, milestones and the cosine length
/// scale by new/old epochs. What is left that cannot work is refused or warned about.
public enum ScheduleFit {
    /// `config` with its schedule scaled from `referenceEpochs` (the epochs the recipe's schedule
    /// was written for) to `config.training.epochs`, and a line saying what changed (nil when
    /// nothing did). A schedule set explicitly (`scheduleSet`) is kept as it is.
    public static func scaled(_ config: TrainingConfig, referenceEpochs: Int, scheduleSet: Bool) -> (TrainingConfig, String?) {
        let epochs = config.training.epochs
        guard !scheduleSet, referenceEpochs > 0, epochs != referenceEpochs else { return (config, nil) }
        let ratio = Double(epochs) / Double(referenceEpochs)
        func scale(_ value: Int) -> Int { Int((Double(value) * ratio).rounded()) }
        var fitted = config
        let old = config.schedule
        fitted.schedule.warmupEpochs = min(scale(old.warmupEpochs), max(0, epochs - 1))
        fitted.schedule.milestones = old.milestones.map { min(max(1, scale($0)), max(1, epochs - 1)) }
        fitted.schedule.totalEpochs = old.totalEpochs == referenceEpochs ? epochs : scale(old.totalEpochs)
        guard fitted.schedule != old else { return (config, nil) }
        let note = "schedule scaled from \(referenceEpochs) to \(epochs) epochs: warm-up \(fitted.schedule.warmupEpochs) "
            + "(was \(old.warmupEpochs)), milestones \(fitted.schedule.milestones) (was \(old.milestones))"
            + (old.decay == .cosine ? ", cosine over \(fitted.schedule.totalEpochs) (was \(old.totalEpochs))" : "")
            + "; set schedule.* yourself to keep another"
        return (fitted, note)
    }

    /// Throws when the schedule cannot work with the epochs (the warm-up never ends); returns
    /// warnings for parts that will never apply.
    public static func check(_ config: TrainingConfig) throws -> [String] {
        let epochs = config.training.epochs, schedule = config.schedule
        if schedule.warmupEpochs > 0 && schedule.warmupEpochs >= epochs {
            throw ReIDError.invalidOption("schedule.warmupEpochs \(schedule.warmupEpochs) is not below training.epochs "
                + "\(epochs): the learning rate would never reach optimizer.lr. Lower schedule.warmupEpochs (0 turns "
                + "warm-up off) or raise training.epochs")
        }
        var warnings: [String] = []
        switch schedule.decay {
        case .step:
            let late = schedule.milestones.filter { $0 >= epochs }
            if !late.isEmpty {
                warnings.append("schedule.milestones \(late) are at or past training.epochs \(epochs): "
                                + "the learning rate is never decayed there")
            }
        case .cosine where schedule.totalEpochs != epochs:
            warnings.append("schedule.totalEpochs \(schedule.totalEpochs) differs from training.epochs \(epochs): "
                            + "the cosine does not end where the run does")
        default:
            break
        }
        return warnings
    }
}

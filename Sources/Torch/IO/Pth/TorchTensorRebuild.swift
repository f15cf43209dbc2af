/// `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)`: a tensor as a
/// strided view of a flat storage, so transposed views and slices of a shared storage come
/// back exactly as saved (and still share it).
enum TorchTensorRebuild {
    /// `offset` counts from the start of `storage`. When `storage` is itself a slice of a larger
    /// storage (a legacy storage view), `root` is that storage and `start` the slice's first
    /// element: the view is taken on `root`, since libtorch counts offsets from a storage's start.
    static func view(of storage: Tensor, offset: Int, size: [Int], stride: [Int], root: Tensor? = nil,
                     start: Int = 0) throws -> Tensor {
        guard size.count == stride.count else {
            throw PickleError("tensor has \(size.count) sizes but \(stride.count) strides")
        }
        guard offset >= 0, size.allSatisfy({ $0 >= 0 }), stride.allSatisfy({ $0 >= 0 }) else {
            throw PickleError("tensor has a negative size, stride or offset (size \(size), stride \(stride), offset \(offset))")
        }
        // The last element's index + 1, computed without overflow.
        var needed = 0
        if !size.contains(0) {
            var last = offset
            for (n, s) in zip(size, stride) {
                let (step, o1) = (n - 1).multipliedReportingOverflow(by: s)
                let (sum, o2) = last.addingReportingOverflow(step)
                guard !o1, !o2 else { throw PickleError("tensor size \(size) with stride \(stride) overflows") }
                last = sum
            }
            let (end, o3) = last.addingReportingOverflow(1)
            guard !o3 else { throw PickleError("tensor offset \(offset) with size \(size) overflows") }
            needed = end
        }
        guard needed <= storage.count else {
            throw PickleError("tensor of size \(size), stride \(stride) at offset \(offset) needs \(needed) "
                + "elements but its storage holds \(storage.count)")
        }
        guard let root else { return try storage.asStrided(size: size, stride: stride, storageOffset: offset) }
        let (absolute, overflow) = start.addingReportingOverflow(offset)
        guard !overflow else { throw PickleError("tensor offset \(offset) in a storage view at \(start) overflows") }
        return try root.asStrided(size: size, stride: stride, storageOffset: absolute)
    }
}

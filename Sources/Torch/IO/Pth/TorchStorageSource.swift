/// Where a checkpoint keeps its storages' raw bytes: archive entries `data/<key>` in the zip
/// format (`PthArchive`), a run of length-prefixed blocks after the pickles in the legacy
/// format (`LegacyStorageTable`).
protocol TorchStorageSource {
    /// The bytes of storage `key`, which the pickle says holds `numel` elements of `dtype`;
    /// valid while the source lives. Throws a `PickleError` saying what is missing or too short.
    func storageBytes(key: String, dtype: DType, numel: Int) throws -> UnsafeRawBufferPointer
}

//! Reading the output tables back for assertions.

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::concat_batches;
use arrow::datatypes::{Float32Type, Int32Type, UInt32Type, UInt64Type};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::path::Path;

/// A whole table in one batch.
pub struct Table(pub RecordBatch);

impl Table {
    pub fn read(path: &Path) -> Table {
        let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let reader = ParquetRecordBatchReaderBuilder::try_new(file)
            .unwrap()
            .build()
            .unwrap();
        let batches: Vec<RecordBatch> = reader.map(Result::unwrap).collect();
        let schema = batches.first().map(|b| b.schema()).unwrap_or_else(|| {
            ParquetRecordBatchReaderBuilder::try_new(std::fs::File::open(path).unwrap())
                .unwrap()
                .schema()
                .clone()
        });
        Table(concat_batches(&schema, &batches).unwrap())
    }

    pub fn rows(&self) -> usize {
        self.0.num_rows()
    }

    fn column(&self, name: &str) -> &dyn Array {
        self.0
            .column_by_name(name)
            .unwrap_or_else(|| panic!("no column {name}"))
            .as_ref()
    }

    pub fn u64s(&self, name: &str) -> Vec<u64> {
        self.column(name)
            .as_primitive::<UInt64Type>()
            .values()
            .to_vec()
    }

    pub fn u32s(&self, name: &str) -> Vec<u32> {
        self.column(name)
            .as_primitive::<UInt32Type>()
            .values()
            .to_vec()
    }

    pub fn f32s(&self, name: &str) -> Vec<f32> {
        self.column(name)
            .as_primitive::<Float32Type>()
            .values()
            .to_vec()
    }

    /// A string column, plain or dictionary-encoded; nulls as `None`.
    pub fn strings(&self, name: &str) -> Vec<Option<String>> {
        let column = self.column(name);
        if let Some(dictionary) = column.as_dictionary_opt::<Int32Type>() {
            let values = dictionary.values().as_string::<i32>();
            return dictionary
                .keys()
                .iter()
                .map(|key| key.map(|k| values.value(k as usize).to_owned()))
                .collect();
        }
        column
            .as_string::<i32>()
            .iter()
            .map(|value| value.map(str::to_owned))
            .collect()
    }

    /// A non-null string column.
    pub fn texts(&self, name: &str) -> Vec<String> {
        self.strings(name)
            .into_iter()
            .map(|value| value.unwrap_or_else(|| panic!("null in {name}")))
            .collect()
    }
}

//! Column widths that fit a table into the width it has, so that no column (the rates and hours on, at the right)
//! ends up outside a narrow window.
//!
//! Owns: that arithmetic. Must not touch: egui, the model.

/// How wide one column would like to be, and how narrow it may get before its text must be elided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ColumnWidth {
    pub preferred: f32,
    pub floor: f32,
}

/// Widths for `columns` whose sum is at most `budget` (the width left once spacing and scroll bar are taken):
/// the preferred widths when they fit; otherwise every column moves the same share of the way from its preferred
/// width to its floor; below the sum of the floors, every floor shrinks in proportion (the text is elided, with the
/// full text on hover).
pub fn fit(columns: &[ColumnWidth], budget: f32) -> Vec<f32> {
    let preferred: f32 = columns.iter().map(|c| c.preferred).sum();
    let floors: f32 = columns.iter().map(|c| c.floor).sum();
    let budget = budget.max(0.0);
    if preferred <= budget {
        columns.iter().map(|c| c.preferred).collect()
    } else if floors <= budget {
        let share = (budget - floors) / (preferred - floors);
        columns.iter().map(|c| c.floor + share * (c.preferred - c.floor)).collect()
    } else if floors > 0.0 {
        let scale = budget / floors;
        columns.iter().map(|c| c.floor * scale).collect()
    } else {
        vec![0.0; columns.len()]
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    const COLUMNS: [ColumnWidth; 2] =
        [ColumnWidth { preferred: 200.0, floor: 100.0 }, ColumnWidth { preferred: 100.0, floor: 80.0 }];

    #[test]
    fn room_enough_gives_the_preferred_widths() {
        assert_eq!(fit(&COLUMNS, 500.0), [200.0, 100.0]);
        assert_eq!(fit(&COLUMNS, 300.0), [200.0, 100.0]);
    }

    #[test]
    fn less_room_moves_every_column_toward_its_floor() {
        // 240 is halfway between the floors (180) and the preferred widths (300).
        assert_eq!(fit(&COLUMNS, 240.0), [150.0, 90.0]);
        assert_eq!(fit(&COLUMNS, 180.0), [100.0, 80.0]);
    }

    #[test]
    fn below_the_floors_every_column_shrinks_in_proportion() {
        assert_eq!(fit(&COLUMNS, 90.0), [50.0, 40.0]);
        assert_eq!(fit(&COLUMNS, -5.0), [0.0, 0.0]);
        assert!(fit(&[], 100.0).is_empty());
    }
}

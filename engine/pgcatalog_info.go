package engine

import "fmt"

// infoSchemaRelations are information_schema.tables and .columns with
// Postgres type names (data_type, udt_name), served as
// information_schema_tables and information_schema_columns.
func infoSchemaRelations() []compatRelation {
	return []compatRelation{
		{"information_schema_tables", fmt.Sprintf(`SELECT current_database() AS table_catalog, schema_name AS table_schema,
			view_name AS table_name, 'BASE TABLE' AS table_type, NULL::VARCHAR AS self_referencing_column_name,
			NULL::VARCHAR AS reference_generation, NULL::VARCHAR AS user_defined_type_catalog,
			NULL::VARCHAR AS user_defined_type_schema, NULL::VARCHAR AS user_defined_type_name,
			'NO' AS is_insertable_into, 'NO' AS is_typed, NULL::VARCHAR AS commit_action
			FROM %s`, userViews)},
		{"information_schema_columns", fmt.Sprintf(`SELECT current_database() AS table_catalog, schema_name AS table_schema,
			table_name, column_name, column_index AS ordinal_position, NULL::VARCHAR AS column_default,
			CASE WHEN is_nullable THEN 'YES' ELSE 'NO' END AS is_nullable, %s AS data_type,
			NULL::INTEGER AS character_maximum_length, NULL::INTEGER AS character_octet_length,
			numeric_precision, numeric_precision_radix, numeric_scale, NULL::INTEGER AS datetime_precision,
			NULL::VARCHAR AS interval_type, NULL::INTEGER AS interval_precision,
			NULL::VARCHAR AS character_set_catalog, NULL::VARCHAR AS character_set_schema, NULL::VARCHAR AS character_set_name,
			NULL::VARCHAR AS collation_catalog, NULL::VARCHAR AS collation_schema, NULL::VARCHAR AS collation_name,
			NULL::VARCHAR AS domain_catalog, NULL::VARCHAR AS domain_schema, NULL::VARCHAR AS domain_name,
			current_database() AS udt_catalog, 'pg_catalog' AS udt_schema, %s AS udt_name,
			NULL::VARCHAR AS scope_catalog, NULL::VARCHAR AS scope_schema, NULL::VARCHAR AS scope_name,
			NULL::INTEGER AS maximum_cardinality, column_index::VARCHAR AS dtd_identifier, 'NO' AS is_self_referencing,
			'NO' AS is_identity, NULL::VARCHAR AS identity_generation, NULL::VARCHAR AS identity_start,
			NULL::VARCHAR AS identity_increment, NULL::VARCHAR AS identity_maximum, NULL::VARCHAR AS identity_minimum,
			NULL::VARCHAR AS identity_cycle, 'NEVER' AS is_generated, NULL::VARCHAR AS generation_expression,
			'NO' AS is_updatable
			FROM %s`, infoTypeSQL("data_type"), udtNameSQL("data_type"), userColumns)},
	}
}

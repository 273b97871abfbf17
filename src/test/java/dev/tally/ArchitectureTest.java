package dev.tally;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The architecture's promises, as rules the build checks (see README, "Architecture"). */
class ArchitectureTest {
  static final JavaClasses CLASSES = new ClassFileImporter()
      .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
      .importPackages("dev.tally");

  @Test
  void sourcesNeitherPriceNorStore() {
    noClasses().that().resideInAPackage("dev.tally.sources..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tally.pricing..", "dev.tally.store..",
            "dev.tally.query..", "dev.tally.surfaces..")
        .check(CLASSES);
  }

  @Test
  void surfacesNeverTouchSql() {
    noClasses().that().resideInAPackage("dev.tally.surfaces..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..", "org.flywaydb..")
        .check(CLASSES);
  }

  @Test
  void onlyTheStoreTalksToTheDatabase() {
    noClasses().that().resideOutsideOfPackages("dev.tally.store..", "dev.tally.sources.logs.opencode..")
        .should().dependOnClassesThat().resideInAnyPackage("java.sql..", "org.sqlite..", "org.flywaydb..")
        .check(CLASSES);
  }

  @Test
  void theLedgerModelDependsOnNothingElseInTally() {
    noClasses().that().resideInAPackage("dev.tally.ledger..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tally.pricing..", "dev.tally.store..",
            "dev.tally.ingest..", "dev.tally.sources..", "dev.tally.query..", "dev.tally.surfaces..")
        .check(CLASSES);
  }

  @Test
  void queriesDoNotReachIntoSourcesOrSurfaces() {
    noClasses().that().resideInAPackage("dev.tally.query..")
        .should().dependOnClassesThat().resideInAnyPackage("dev.tally.sources..", "dev.tally.surfaces..",
            "dev.tally.ingest..")
        .check(CLASSES);
  }
}

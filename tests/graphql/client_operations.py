"""Operations public open-source Kraken clients send, with the page sizes they send them with.

Each is the shape of an operation in a client's public source (the repository and file named with
it), written out here with variables for its account numbers, ids and dates; where the client asks
for a field newer than the contract (spec/customer-graph.graphql), the field is left out and the
entry says so. tests/graphql/test_limits.py checks that every one is valid against the schema and
accepted by the cost limits, and runs them against an account holding data.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class ClientOperation:
    name: str
    source: str  # repository and file the shape comes from
    query: str
    variables: dict = field(default_factory=dict)
    note: str = ""


HA = "BottlecapDave/HomeAssistant-OctopusEnergy custom_components/octopus_energy/api_client/__init__.py"
SPARKO = "bruceskingle/marco-sparko graphql/octopus/"
OCTOMETER = "ryanw-mobile/OctoMeter composeApp/src/commonMain/graphql/com/rwmobi/kunigami/"

OPERATIONS = [
    ClientOperation(
        "ha-token",
        HA + " (api_token_query)",
        "mutation($key: String!) { obtainKrakenToken(input: {APIKey: $key}) { token refreshToken"
        " refreshExpiresIn } }",
        {"key": "sk_live_x"},
    ),
    ClientOperation(
        "ha-account",
        HA + " (account_query)",
        """query($account: String!) {
          octoplusAccountInfo(accountNumber: $account) { isOctoplusEnrolled }
          properties(accountNumber: $account) { id occupancyPeriods { effectiveTo } }
          account(accountNumber: $account) {
            electricityAgreements(active: true) { meterPoint { mpan
              meters(includeInactive: false) { activeFrom activeTo makeAndType serialNumber meterType
                smartExportElectricityMeter { deviceId manufacturer model firmwareVersion }
                smartImportElectricityMeter { deviceId manufacturer model firmwareVersion } }
              agreements(includeInactive: true) { validFrom validTo
                tariff { ... on TariffType { productCode tariffCode } } } } }
            gasAgreements(active: true) { meterPoint { mprn
              meters(includeInactive: false) { activeFrom activeTo serialNumber consumptionUnits modelName
                mechanism smartGasMeter { deviceId manufacturer model firmwareVersion } }
              agreements(includeInactive: true) { validFrom validTo
                tariff { ... on TariffType { tariffCode productCode } } } } } } }""",
        {"account": "A-00000000"},
        note="meterPoint.direction is newer than the contract and left out",
    ),
    ClientOperation(
        "ha-live-consumption",
        HA + " (live_consumption_query)",
        """query($device: String!, $from: DateTime, $to: DateTime) {
          smartMeterTelemetry(deviceId: $device, grouping: HALF_HOURLY, start: $from, end: $to) {
            readAt consumption consumptionDelta demand } }""",
        {"device": "00-00-00-00-00-00-00-00"},
        note="export is newer than the contract and left out",
    ),
    ClientOperation(
        "ha-intelligent-dispatches",
        HA + " (intelligent_dispatches_query)",
        """query($account: String!, $device: String!) {
          devices(accountNumber: $account, deviceId: $device) { id status { currentState } }
          flexPlannedDispatches(deviceId: $device) { start end type energyAddedKwh }
          completedDispatches(accountNumber: $account) { start end delta meta { source location } } }""",
        {"account": "A-00000000", "device": "x"},
    ),
    ClientOperation(
        "ha-intelligent-device",
        HA + " (intelligent_device_query)",
        """query($account: String!) {
          electricVehicles { make models { model batterySize } }
          chargePointVariants { make models { model powerInKw } }
          devices(accountNumber: $account) { id provider deviceType status { current } __typename
            ... on SmartFlexVehicle { make model } ... on SmartFlexChargePoint { make model } } }""",
        {"account": "A-00000000"},
    ),
    ClientOperation(
        "ha-bump-charge",
        HA + " (intelligent_turn_on_bump_charge_mutation)",
        "mutation($device: String!) { updateBoostCharge(input: {deviceId: $device, action: BOOST}) { id } }",
        {"device": "x"},
    ),
    ClientOperation(
        "ha-smart-charge",
        HA + " (intelligent_turn_off_smart_charge_mutation)",
        "mutation($device: ID!) { updateDeviceSmartControl(input: {deviceId: $device, action: SUSPEND})"
        " { id } }",
        {"device": "x"},
    ),
    ClientOperation(
        "ha-octoplus-points",
        HA + " (octoplus_points_query)",
        "query octoplus_points { loyaltyPointLedgers { balanceCarriedForward } }",
    ),
    ClientOperation(
        "ha-saving-sessions",
        HA + " (octoplus_saving_session_query)",
        """query($account: String!) { savingSessions {
            events { id code rewardPerKwhInOctoPoints startAt endAt devEvent }
            account(accountNumber: $account) { hasJoinedCampaign
              joinedEvents { eventId startAt endAt rewardGivenInOctoPoints } } } }""",
        {"account": "A-00000000"},
        note="events(includeDev:) and targetRegion/regionId are newer than the contract and left out",
    ),
    ClientOperation(
        "ha-redeem-points",
        HA + " (redeem_octoplus_points_account_credit_mutation)",
        "mutation($account: String!, $points: Int!) { redeemLoyaltyPointsForAccountCredit("
        "input: {accountNumber: $account, points: $points}) { pointsRedeemed } }",
        {"account": "A-00000000", "points": 800},
    ),
    ClientOperation(
        "ha-heat-pump-status",
        HA + " (heat_pump_status_and_config_query)",
        """query($account: String!, $euid: ID!) {
          heatPumpControllerStatus(accountNumber: $account, euid: $euid) {
            sensors { code connectivity { online retrievedAt }
              telemetry { temperatureInCelsius humidityPercentage voltage retrievedAt } }
            zones { zone telemetry { setpointInCelsius mode relaySwitchedOn heatDemand retrievedAt } } }
          octoHeatPumpControllerConfiguration(accountNumber: $account, euid: $euid) {
            controller { state heatPumpTimezone connected }
            heatPump { serialNumber model hardwareVersion maxWaterSetpoint minWaterSetpoint }
            zones { configuration { code zoneType enabled displayName primarySensor
              currentOperation { mode setpointInCelsius action end } callForHeat heatDemand emergency
              sensors { ... on ADCSensorConfiguration { code displayName type enabled }
                ... on ZigbeeSensorConfiguration { code displayName type firmwareVersion boostEnabled } } } } } }""",
        {"account": "A-00000000", "euid": "x"},
        note="heatPumpLivePerformance, heatPumpLifetimePerformance and the flow-temperature fields are"
        " newer than the contract and left out; the configuration is asked of octoHeatPumpControllerConfiguration",
    ),
    ClientOperation(
        "sparko-viewer",
        SPARKO + "account.graphql (viewer)",
        """query viewer { viewer { id accounts { number brand overdueBalance billingName billingSubName
          billingEmail } givenName familyName email mobile landline title pronouns isDeceased liveSecretKey
          dateOfBirth fullName preferredName alternativePhoneNumbers hasFamilyIssues isInHardship
          isOptedInToWof } }""",
    ),
    ClientOperation(
        "sparko-bills",
        SPARKO + "bill.graphql (getBills, fetched 20 at a time)",
        """query getBills($accountNumber: String!, $before: String, $last: Int) {
          account(accountNumber: $accountNumber) { bills(before: $before, last: $last) {
            pageInfo { startCursor hasPreviousPage }
            edges { cursor node { id billType fromDate toDate issuedDate ...Statement ...PeriodBasedDocument
              ...Invoice } } } } }
        fragment Statement on StatementType { closingBalance openingBalance isExternalBill userId toAddress
          paymentDueDate reversalsAfterClose status heldStatus { isHeld reason }
          totalCharges { netTotal taxTotal grossTotal } totalCredits { netTotal taxTotal grossTotal } }
        fragment PeriodBasedDocument on PeriodBasedDocumentType { identifier
          totalCharges { netTotal taxTotal grossTotal } totalCredits { netTotal taxTotal grossTotal } }
        fragment Invoice on InvoiceType { grossAmount }""",
        {"accountNumber": "A-00000000", "last": 20},
    ),
    ClientOperation(
        "sparko-bills-and-transactions",
        SPARKO + "bill.graphql (getBillsAndTransactions: 20 bills, 100 transactions each)",
        """query getBillsAndTransactions($accountNumber: String!, $last: Int, $transactions_first: Int) {
          account(accountNumber: $accountNumber) { bills(last: $last) {
            pageInfo { endCursor hasNextPage }
            edges { cursor node { id billType fromDate toDate issuedDate ...StatementTransactions } } } } }
        fragment StatementTransactions on StatementType { transactions(first: $transactions_first) {
          pageInfo { startCursor hasPreviousPage }
          edges { cursor node { id postedDate createdAt accountNumber amounts { net tax gross }
            balanceCarriedForward isHeld isIssued title billingDocumentIdentifier isReversed hasStatement note
            ...Charge } } } }
        fragment Charge on Charge { consumption { startDate endDate quantity unit usageCost supplyCharge }
          isExport }""",
        {"accountNumber": "A-00000000", "last": 20, "transactions_first": 100},
    ),
    ClientOperation(
        "sparko-statement-transactions",
        SPARKO + "bill.graphql (getStatementTransactions, 100 at a time)",
        """query getStatementTransactions($accountNumber: String!, $statementId: ID!, $first: Int) {
          account(accountNumber: $accountNumber) { bill(id: $statementId, billType: STATEMENT) {
            ... on StatementType { transactions(first: $first) { pageInfo { startCursor hasPreviousPage }
              edges { cursor node { id postedDate amounts { net tax gross } title isReversed } } } } } } }""",
        {"accountNumber": "A-00000000", "statementId": "x", "first": 100},
    ),
    ClientOperation(
        "sparko-properties-meters",
        SPARKO + "meter.graphql (accountPropertiesMeters)",
        """query accountPropertiesMeters($accountNumber: String!) { account(accountNumber: $accountNumber) {
          properties { id address postcode occupancyPeriods { id effectiveFrom effectiveTo isOccupier }
            coordinates { latitude longitude }
            electricityMeterPoints { id supplyEndDate mpan status
              meters { nodeId serialNumber consumptionUnits hasAndAllowsHhReadings
                importMeter { id nodeId serialNumber } } }
            gasMeterPoints { id supplyEndDate mprn status
              meters { nodeId serialNumber consumptionUnits hasAndAllowsHhReadings } }
            smartDeviceNetworks { smartDevices { deviceId type } } } } }""",
        {"accountNumber": "A-00000000"},
    ),
    ClientOperation(
        "sparko-meter-agreements",
        SPARKO + "meter.graphql (meterAgreements)",
        """query meterAgreements($meterNodeId: ID!, $validAfter: DateTime) { node(id: $meterNodeId) {
          ... on ElectricityMeterType { importMeter { meterPoint { mpan } }
            meterPoint { mpan agreements(excludeFuture: false, validAfter: $validAfter, includeInactive: true) {
              id validFrom validTo tariff {
                ... on HalfHourlyTariff { displayName fullName standingCharge
                  unitRates { validFrom validTo preVatValue value } description preVatStandingCharge
                  productCode tariffCode }
                ... on StandardTariff { id description displayName fullName preVatStandingCharge preVatUnitRate
                  standingCharge tariffCode unitRate }
                ... on DayNightTariff { id dayRate description displayName fullName nightRate preVatDayRate
                  preVatNightRate preVatStandingCharge standingCharge tariffCode }
                ... on ThreeRateTariff { id dayRate description displayName fullName nightRate offPeakRate
                  preVatDayRate preVatNightRate preVatOffPeakRate preVatStandingCharge standingCharge tariffCode }
                ... on PrepayTariff { id displayName fullName preVatStandingCharge preVatUnitRate productCode
                  standingCharge tariffCode unitRate } } } } }
          ... on GasMeterType { meterPoint { agreements(excludeFuture: false, validAfter: $validAfter) {
            id validFrom validTo tariff { fullName tariffCode standingCharge preVatUnitRate unitRate } } } } } }""",
        {"meterNodeId": "x"},
    ),
    ClientOperation(
        "sparko-line-items",
        SPARKO + "meter.graphql (electricityAgreementLineItems, 100 at a time)",
        """query electricityAgreementLineItems($agreementId: ID!, $startAt: DateTime!, $first: Int,
            $timezone: String!, $itemType: LineItemTypeOptions!, $lineItemGrouping: LineItemGroupingOptions!,
            $after: String) {
          electricityAgreement(id: $agreementId) { ... on ElectricityAgreementType { meterPoint { mpan }
            lineItems(first: $first, grouping: $lineItemGrouping, startAt: $startAt, itemType: $itemType,
                timezone: $timezone, after: $after) {
              edges { node { startAt endAt netAmount numberOfUnits settlementUnit } cursor }
              pageInfo { hasNextPage hasPreviousPage endCursor startCursor } } } } }""",
        {
            "agreementId": "1",
            "startAt": "2024-01-01T00:00:00Z",
            "first": 100,
            "timezone": "Europe/London",
            "itemType": "CONSUMPTION_CHARGE",
            "lineItemGrouping": "NONE",
        },
    ),
    ClientOperation(
        "sparko-current-demand",
        SPARKO + "meter.graphql (getCurrentDemand)",
        """query getCurrentDemand($meterDeviceId: String!, $start: DateTime, $end: DateTime,
            $grouping: TelemetryGrouping) {
          smartMeterTelemetry(deviceId: $meterDeviceId, start: $start, end: $end, grouping: $grouping) {
            readAt demand } }""",
        {"meterDeviceId": "x", "grouping": "TEN_SECONDS"},
    ),
    ClientOperation(
        "sparko-meter-consumption",
        SPARKO + "meter.graphql (meterConsumption, 50 half hours at a time)",
        """query meterConsumption($meterId: ID!, $grouping: ConsumptionGroupings!, $startAt: DateTime!,
            $first: Int, $timezone: String!, $after: String) { node(id: $meterId) {
          ... on ElectricityMeterType { ...meterFields importMeter: importMeter { id } }
          ... on GasMeterType { ...meterFields } } }
        fragment meterFields on Meter { consumptionUnits serialNumber
          consumption(first: $first, grouping: $grouping, startAt: $startAt, timezone: $timezone, after: $after) {
            ...consumptionFields } }
        fragment consumptionFields on ConsumptionConnection { edges { node { value startAt endAt } cursor }
          pageInfo { endCursor hasNextPage } }""",
        {
            "meterId": "x",
            "grouping": "HALF_HOUR",
            "startAt": "2024-01-01T00:00:00Z",
            "first": 50,
            "timezone": "Europe/London",
        },
    ),
    ClientOperation(
        "octometer-token",
        OCTOMETER + "mutations/ObtainKrakenToken.graphql",
        """mutation ObtainKrakenToken($input: ObtainJSONWebTokenInput!) { obtainKrakenToken(input: $input) {
          possibleErrors { message code } token refreshToken refreshExpiresIn } }""",
        {"input": {"APIKey": "sk_live_x"}},
    ),
    ClientOperation(
        "octometer-energy-products",
        OCTOMETER + "queries/EnergyProductsQuery.graphql (100 a page)",
        """query EnergyProductsQuery($postcode: String!, $pageSize: Int!, $afterCursor: String) {
          energyProducts(postcode: $postcode, availability: AVAILABLE, first: $pageSize,
              brand: "OCTOPUS_ENERGY", filterBy: DOMESTIC, after: $afterCursor) {
            edges { node { code direction fullName displayName description term availableTo availableFrom
              isVariable isChargedHalfHourly isGreen isPrepay isBusiness } }
            totalCount pageInfo { hasNextPage endCursor } } }""",
        {"postcode": "SW1A 1AA", "pageSize": 100},
    ),
    ClientOperation(
        "octometer-single-product",
        OCTOMETER + "queries/SingleEnergyProductQuery.graphql (100 tariffs a page)",
        """query SingleEnergyProductQuery($productCode: String!, $postcode: String!, $pageSize: Int!,
            $afterCursor: String) {
          energyProduct(code: $productCode) { code fullName displayName description term isVariable
            isChargedHalfHourly isGreen isPrepay isBusiness availableTo availableFrom exitFeesType exitFees
            tariffs(postcode: $postcode, first: $pageSize, after: $afterCursor) {
              edges { node {
                ... on StandardTariff { __typename tariffCode standingCharge unitRate }
                ... on DayNightTariff { __typename tariffCode standingCharge dayRate nightRate }
                ... on ThreeRateTariff { __typename tariffCode standingCharge dayRate nightRate offPeakRate } } }
              totalCount pageInfo { hasNextPage endCursor } } } }""",
        {"productCode": "AGILE-24-10-01", "postcode": "SW1A 1AA", "pageSize": 100},
    ),
    ClientOperation(
        "octometer-properties",
        OCTOMETER + "queries/PropertiesQuery.graphql",
        """query PropertiesQuery($accountNumber: String!) {
          properties(accountNumber: $accountNumber) { address postcode occupancyPeriods { effectiveFrom effectiveTo }
            electricityMeterPoints { mpan
              meters { serialNumber makeAndType smartImportElectricityMeter { deviceId __typename }
                meterPoint { meters { serialNumber readings(first: 1) {
                  edges { node { readAt source readingSource registers { value } } } } } } }
              agreements(includeInactive: true) { validFrom validTo tariff {
                ... on StandardTariff { __typename displayName fullName description standingCharge tariffCode
                  unitRate }
                ... on HalfHourlyTariff { __typename displayName fullName description standingCharge
                  agileCalculationInfo { priceCap } tariffCode }
                ... on DayNightTariff { __typename displayName fullName description standingCharge tariffCode
                  dayRate nightRate }
                ... on ThreeRateTariff { __typename displayName fullName description standingCharge dayRate
                  nightRate offPeakRate tariffCode }
                ... on PrepayTariff { __typename tariffCode unitRate standingCharge fullName displayName
                  description } } } } }
          account(accountNumber: $accountNumber) { users { preferredName } } }""",
        {"accountNumber": "A-00000000"},
    ),
    ClientOperation(
        "octometer-measurements",
        OCTOMETER + "queries/GetMeasurementsQuery.graphql (100 a page)",
        """query GetMeasurementsQuery($accountNumber: String!, $first: Int!,
            $utilityFilters: [UtilityFiltersInput!], $startAt: DateTime, $endAt: DateTime, $timezone: String,
            $afterCursor: String) {
          account(accountNumber: $accountNumber) { properties { id
            measurements(first: $first, utilityFilters: $utilityFilters, startAt: $startAt, endAt: $endAt,
                timezone: $timezone, after: $afterCursor) {
              edges { node { value unit ... on IntervalMeasurementType { startAt endAt __typename }
                metaData { statistics { costInclTax { costCurrency estimatedAmount __typename } type
                  __typename } __typename } __typename } __typename }
              pageInfo { hasNextPage endCursor __typename } __typename } __typename } __typename } }""",
        {"accountNumber": "A-00000000", "first": 100},
    ),
    ClientOperation(
        "octometer-telemetry",
        OCTOMETER + "queries/SmartMeterTelemetryQuery.graphql",
        """query SmartMeterTelemetryQuery($meterDeviceId: String!, $start: DateTime, $end: DateTime,
            $grouping: TelemetryGrouping) {
          smartMeterTelemetry(deviceId: $meterDeviceId, start: $start, end: $end, grouping: $grouping) {
            __typename readAt demand consumption } }""",
        {"meterDeviceId": "x"},
    ),
    ClientOperation(
        "octopus-api-initial-user-details",
        "mahaoyu/octopus-api Sources/Operations/Queries/GetInitialUserDetailsQuery.graphql.swift",
        """query GetInitialUserDetails { viewer { __typename preferredName liveSecretKey accounts { number }
          accountUserRoles { id user { id } account { id brand number properties { address postcode
            electricityMeterPoints { id mpan gspGroupId meters { id serialNumber } status
              agreements(includeInactive: true, excludeFuture: false) { id validFrom validTo agreedFrom agreedTo
                tariff { __typename
                  ... on HalfHourlyTariff { id displayName description fullName tariffCode productCode
                    standingCharge }
                  ... on StandardTariff { id displayName description fullName tariffCode productCode unitRate
                    standingCharge }
                  ... on DayNightTariff { id displayName description fullName tariffCode productCode
                    standingCharge dayRate nightRate }
                  ... on ThreeRateTariff { id displayName description fullName tariffCode productCode
                    standingCharge dayRate nightRate offPeakRate }
                  ... on PrepayTariff { id displayName description fullName tariffCode productCode
                    standingCharge unitRate } } } }
            gasMeterPoints { id mprn marketSectorCode marketCategory meterOwnershipType confirmationReference
              nominationType supplyClass
              meters { id serialNumber meterType units correction readingFactor pulseValue fuelType
                consumptionUnits location manufacturedYear manufacturerCode modelName hasAndAllowsHhReadings
                registers { id }
                meterPoint { confirmationReference currentDmSoq currentNdmSoq endUserCategory eucIdentifier
                  exitCapacityChargeRate exitZone formulaYearSmpAq formulaYearSmpSoq hasOpenClosingReadDispute
                  hasOpenOpeningReadDispute id igtCheckedAt igtIdentifier ldz ldzCapacityChargeRate
                  ldzCommodityChargeRate ldzCustomerChargeRate marketCategory marketSectorCode
                  meterOwnershipType meterReadBatchFrequency mprn mrfType newSupplierId
                  nominationShipperReference nominationType ntsExitCommodityChargeRate oldSupplierId
                  requiresEnrolment requiresWithdrawal smartStartDate status statusUpdatedAt supplyClass
                  supplyEndDate supplyPointCategory targetSsd xoserveStatus } }
              agreements(includeInactive: true, excludeFuture: false) { id validFrom validTo agreedFrom agreedTo
                tariff { ... on GasTariffType { id displayName description fullName tariffCode productCode
                  standingCharge unitRate } } } } } } } } }""",
        note="the two versions of the client's query, merged",
    ),
]
